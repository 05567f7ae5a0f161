//go:build !amd64 || purego

package kernels

// The amd64 paths exist only in amd64 builds without the purego tag.
const (
	cpuAVX2 = false
	cpuVNNI = false
)

// gemmTileAVX2 and gemmTileVNNI are never called here: no PackedFilter is
// packed for a SIMD path when Available() does not list it.
func gemmTileAVX2(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	mustHave(PathAVX2)
}

func gemmTileVNNI(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	mustHave(PathVNNI)
}

func requantTileAVX2(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int) {
	mustHave(PathAVX2)
}

func widenAVX2(dst *int16, src *int8, n int, flip uint8) {
	mustHave(PathAVX2)
}

func dw3x3U8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	mustHave(PathAVX2)
}

func dw3x3I8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	mustHave(PathAVX2)
}

func requantTileVNNI(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int) {
	mustHave(PathVNNI)
}

func addQuantU8AVX2(x, y, out *byte, n int, p *int32) {
	mustHave(PathAVX2)
}

func addQuantI8AVX2(x, y, out *byte, n int, p *int32) {
	mustHave(PathAVX2)
}

func gemmTileVNNI8(x *byte, stride uintptr, w *int8, k4 int, acc *int32, init *int32) {
	mustHave(PathVNNI)
}

func prepU8AVX2(dst, src *byte, n int, xor uint8) int {
	mustHave(PathAVX2)
	return 0
}
