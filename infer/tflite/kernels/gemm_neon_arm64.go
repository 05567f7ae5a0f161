//go:build arm64 && !purego

package kernels

// gemmTileNEON computes the exact int32 sums of an 8-pixel × 8-channel
// tile of int16 inputs and weights with SMLAL/SMLAL2 (gemm_neon_arm64.s):
// x holds 8 rows of 8·k8 taps, stride bytes apart; w the block's weights
// [8·k8][8]int16; acc receives [8][8]int32.
//
//go:noescape
func gemmTileNEON(x *int16, stride uintptr, w *int16, k8 int, acc *int32)

// gemmTileDot computes the exact int32 sums of an 8-pixel × 8-channel
// tile of signed input and weight bytes with SDOT (gemm_neon_arm64.s): x
// holds 8 rows of 16·k16 bytes, stride bytes apart; w the block's weights
// [4·k16][8][4]int8; acc receives [8][8]int32. It needs the dot product
// extension.
//
//go:noescape
func gemmTileDot(x *byte, stride uintptr, w *int8, k16 int, acc *int32)

// widenNEON writes n (a multiple of 16) bytes of src XOR flip,
// sign-extended, to dst (gemm_neon_arm64.s).
//
//go:noescape
func widenNEON(dst *int16, src *int8, n int, flip uint8)

// prepS8NEON writes n (a multiple of 16) bytes of src XOR xor to dst and
// returns their sum as int8 values (gemm_neon_arm64.s).
//
//go:noescape
func prepS8NEON(dst, src *byte, n int, xor uint8) int

// requantTileNEON requantizes rows × 8 sums, each row's starting at
// init[row], with the 8-lane parameter group q of packRequant into rows ×
// 8 bytes, ostride bytes apart (gemm_neon_arm64.s).
//
//go:noescape
func requantTileNEON(sums *int32, q *int32, init *int32, out *byte, rows, ostride int)
