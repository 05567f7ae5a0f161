//go:build arm64 && !purego

package kernels

// dw3x3U8NEON and dw3x3I8NEON compute the exact int32 sums Σ x·w (no
// constant) of n output pixels of a 3x3 depthwise convolution, c8 groups
// of 8 channels, into acc as [c8][n][8]int32 (depthwise_neon_arm64.s):
// tap (ky, kx) of pixel p is at in + p·sx + ky·dy + kx·dx, w holds per
// group 9 taps of 8 int16 weights.
//
//go:noescape
func dw3x3U8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx, sx uintptr, n int)

//go:noescape
func dw3x3I8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx, sx uintptr, n int)

// dwTapsU8NEON and dwTapsI8NEON compute the sums of one pixel whose 9
// taps are read through pointers into acc ([c8][8]int32).
//
//go:noescape
func dwTapsU8NEON(taps *[9]*byte, w *int16, acc *int32, c8 int)

//go:noescape
func dwTapsI8NEON(taps *[9]*byte, w *int16, acc *int32, c8 int)

// dw3x3S1U8NEON and dw3x3S1I8NEON are dw3x3U8NEON and dw3x3I8NEON for
// pixels dx bytes apart (stride = dilation): each pixel loads one new
// input column and reuses two of the previous pixel's.
//
//go:noescape
func dw3x3S1U8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx uintptr, n int)

//go:noescape
func dw3x3S1I8NEON(in *byte, w *int16, acc *int32, c8 int, dy, dx uintptr, n int)
