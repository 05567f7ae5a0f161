//go:build !amd64 || purego

package kernels

// The AVX2 depthwise border kernels are never called here: no
// PackedDepthwise is packed for a SIMD path when Available() does not
// list it.

func dwTapsU8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int) {
	mustHave(PathAVX2)
}

func dwTapsI8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int) {
	mustHave(PathAVX2)
}
