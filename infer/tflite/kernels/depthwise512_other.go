//go:build !amd64 || purego

package kernels

// The AVX-512 depthwise kernels are never called here: no PackedDepthwise
// is packed for the vnni path when Available() does not list it.

func dw3x3U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr) {
	mustHave(PathVNNI)
}

func dw3x3I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr) {
	mustHave(PathVNNI)
}

func dwTapsU8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int) {
	mustHave(PathVNNI)
}

func dwTapsI8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int) {
	mustHave(PathVNNI)
}

func dw3x3S1U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr) {
	mustHave(PathVNNI)
}

func dw3x3S1I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr) {
	mustHave(PathVNNI)
}
