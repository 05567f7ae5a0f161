//go:build !arm64 || purego

package kernels

// The arm64 float32 kernel is never called here: no PackedFilter is
// packed for PathNEON or PathDotprod when Available() does not list them.
func gemmF32TileNEON(rows **float32, k int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int) {
	mustHave(PathNEON)
}

func gemmF32RowNEON(x *float32, k int, w **float32, bias *float32, clamp *float32, out *float32, nblk int) {
	mustHave(PathNEON)
}

func dw3x3F32NEON(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32) {
	mustHave(PathNEON)
}

func dwTapsF32NEON(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32) {
	mustHave(PathNEON)
}
