//go:build amd64 && !purego

package kernels

// dw3x3U8VNNI and dw3x3I8VNNI compute the int32 sums of n depthwise 3x3
// output pixels whose taps are all inside the image, 16 channels per
// group (depthwise512_amd64.s); they need AVX-512 F, BW and VNNI.
//
//go:noescape
func dw3x3U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr)

//go:noescape
func dw3x3I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr)

// dwTapsU8VNNI and dwTapsI8VNNI compute the int32 sums of one depthwise
// 3x3 output pixel from 9 tap pointers (depthwise512_amd64.s); they need
// AVX-512 F, BW and VNNI.
//
//go:noescape
func dwTapsU8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int)

//go:noescape
func dwTapsI8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int)

// dw3x3S1U8VNNI and dw3x3S1I8VNNI are dw3x3U8VNNI and dw3x3I8VNNI for
// input pixels sx = dx apart, i.e. stride = dilation, as both 1
// (depthwise512_amd64.s).
//
//go:noescape
func dw3x3S1U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr)

//go:noescape
func dw3x3S1I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr)
