//go:build !amd64 || purego

package kernels

// The float32 SIMD kernels are never called here: no PackedFilter is
// packed for a SIMD path, and DepthwiseFloat32 takes its SIMD branch only
// on a SIMD path, when Available() does not list one.

func gemmF32TileAVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32) {
	mustHave(PathAVX2)
}

func gemmF32TileAVX512(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32) {
	mustHave(PathVNNI)
}

func dw3x3F32AVX2(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32) {
	mustHave(PathAVX2)
}

func dwTapsF32AVX2(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32) {
	mustHave(PathAVX2)
}

func gemmF32Tile8x8AVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32) {
	mustHave(PathAVX2)
}
