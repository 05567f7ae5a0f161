//go:build arm64 && !purego

package kernels

// gemmF32TileNEON computes an 8-pixel × 8-channel float32 tile
// (float_neon_arm64.s describes the operands): the generic path's sums
// of rounded products, + bias, clamped to [clamp[0], clamp[1]] with
// FMAX/FMIN; it stores the first nout pixels' 8 channels.
//
//go:noescape
func gemmF32TileNEON(rows **float32, k int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int)
