//go:build amd64 && !purego

package kernels

// dwTapsU8AVX2 and dwTapsI8AVX2 compute the int32 sums of one depthwise
// 3x3 output pixel from 9 tap pointers, 8 channels per group
// (depthwise_taps_amd64.s); they need AVX2.
//
//go:noescape
func dwTapsU8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int)

//go:noescape
func dwTapsI8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int)
