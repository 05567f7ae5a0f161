//go:build !arm64 || purego

package kernels

// The arm64 depthwise kernels are never called here: no PackedDepthwise
// is packed for them when Available() lists no arm64 path.

func dw3x3U8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	mustHave(PathNEON)
}

func dw3x3I8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx, sx uintptr, n int) {
	mustHave(PathNEON)
}

func dwTapsU8NEON(taps *[9]*byte, w *int16, acc *int32, c8 int) {
	mustHave(PathNEON)
}

func dwTapsI8NEON(taps *[9]*byte, w *int16, acc *int32, c8 int) {
	mustHave(PathNEON)
}

func dw3x3S1U8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx uintptr, n int) {
	mustHave(PathNEON)
}

func dw3x3S1I8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx uintptr, n int) {
	mustHave(PathNEON)
}
