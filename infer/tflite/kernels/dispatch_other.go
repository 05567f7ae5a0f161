//go:build !amd64 || purego

package kernels

// Only the generic Go path exists on this architecture or build.
const (
	cpuAVX2 = false
	cpuVNNI = false
)

// gemmTileAVX2 and gemmTileVNNI are never called here: no PackedFilter is
// packed for a SIMD path when Available() does not list it.
func gemmTileAVX2(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	panic("kernels: AVX2 path called on a build without it")
}

func gemmTileVNNI(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	panic("kernels: VNNI path called on a build without it")
}

func requantTileAVX2(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int) {
	panic("kernels: AVX2 path called on a build without it")
}

func widenAVX2(dst *int16, src *int8, n int, flip uint8) {
	panic("kernels: AVX2 path called on a build without it")
}

func dw3x3U8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	panic("kernels: AVX2 path called on a build without it")
}

func dw3x3I8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	panic("kernels: AVX2 path called on a build without it")
}

func requantTileVNNI(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int) {
	panic("kernels: VNNI path called on a build without it")
}

func addQuantU8AVX2(x, y, out *byte, n int, p *int32) {
	panic("kernels: AVX2 path called on a build without it")
}

func addQuantI8AVX2(x, y, out *byte, n int, p *int32) {
	panic("kernels: AVX2 path called on a build without it")
}

func gemmTileVNNI8(x *byte, stride uintptr, w *int8, k4 int, acc *int32, init *int32) {
	panic("kernels: VNNI path called on a build without it")
}

func prepU8AVX2(dst, src *byte, n int, xor uint8) int {
	panic("kernels: AVX2 path called on a build without it")
}
