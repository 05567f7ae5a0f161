//go:build amd64 && !purego

package kernels

// gemmRQVNNI8 computes an 8-pixel × 32-channel tile of unsigned input
// bytes (rows[p], 4·k4 bytes each) times the signed weight bytes of one
// block w ([k4][32][4]int8) with VPDPBUSD, pixel p's sums starting at
// init[p] plus the channel constant, requantizes them in registers with
// the block's packRequant64 parameters rq and writes n (1..32) bytes per
// pixel for the first nrows pixels, ostride bytes apart, to out
// (gemm_rq_amd64.s). n ≤ 16 runs a half tile. flags: fusedSigned (the
// input bytes are signed and the weights unsigned instead), fusedHalfUp
// (half-up rounding: rq has no left shifts and no adjustment of
// negatives). It needs AVX-512 F, BW and VNNI.
//
//go:noescape
func gemmRQVNNI8(rows *[8]uintptr, k4 int, w *int8, rq *int32, init *int32, out *byte, ostride, nrows, n, flags int)

// rowSums8VNNI writes to sums[p] the sum of the k bytes at rows[p], each
// XOR xor, plus xor·(64 − k%64), for the 8 rows (gemm_rq_amd64.s); it
// needs AVX-512 F and BW.
//
//go:noescape
func rowSums8VNNI(rows *[8]uintptr, k int, xor uint8, sums *[8]int64)
