//go:build amd64 && !purego

package kernels

// gemmF32TileAVX2 computes a 4-pixel × 16-channel float32 tile
// (float_amd64.s describes the operands); it needs AVX2.
//
//go:noescape
func gemmF32TileAVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)

// gemmF32TileAVX512 is gemmF32TileAVX2 for 8 pixels (rows[0:8]); it
// needs AVX-512 F.
//
//go:noescape
func gemmF32TileAVX512(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)

// dw3x3F32AVX2 computes n interior pixels of a float32 depthwise 3x3
// (float_amd64.s, which describes the layout); it needs AVX2.
//
//go:noescape
func dw3x3F32AVX2(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32)

// dwTapsF32AVX2 computes one float32 depthwise output pixel from a list
// of taps (float_amd64.s describes the layout); it needs AVX2.
//
//go:noescape
func dwTapsF32AVX2(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32)

// gemmF32Tile8x8AVX2 is gemmF32TileAVX2 for 8 pixels and a block of at
// most 8 channels (the first 8 lanes of each weight row); it needs AVX2.
//
//go:noescape
func gemmF32Tile8x8AVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)
