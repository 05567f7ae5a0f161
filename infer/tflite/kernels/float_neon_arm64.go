//go:build arm64 && !purego

package kernels

// gemmF32TileNEON computes an 8-pixel × 8-channel float32 tile
// (float_neon_arm64.s describes the operands): the generic path's sums
// of rounded products, + bias, clamped to [clamp[0], clamp[1]] with
// FMAX/FMIN; it stores the first nout pixels' 8 channels.
//
//go:noescape
func gemmF32TileNEON(rows **float32, k int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int)

// gemmF32RowNEON computes one pixel × 4 blocks of 8 channels
// (float_neon_arm64.s describes the operands) with the arithmetic of
// gemmF32TileNEON; it stores the first nblk blocks.
//
//go:noescape
func gemmF32RowNEON(x *float32, k int, w **float32, bias *float32, clamp *float32, out *float32, nblk int)

// dw3x3F32NEON computes n interior pixels of a float32 depthwise 3x3
// (float_neon_arm64.s, which describes the layout), as dw3x3F32AVX2.
//
//go:noescape
func dw3x3F32NEON(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32)

// dwTapsF32NEON computes one float32 depthwise output pixel from a list
// of taps (float_neon_arm64.s), as dwTapsF32AVX2.
//
//go:noescape
func dwTapsF32NEON(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32)
