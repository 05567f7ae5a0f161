//go:build amd64 && !purego

package kernels

// gemmTileAVX2 computes the exact int32 sums of a 4-pixel × 16-channel
// tile (gemm16_amd64.s); it needs AVX2.
//
//go:noescape
func gemmTileAVX2(x *int16, stride uintptr, w *int16, kp int, acc *int32)

// gemmTileVNNI computes the exact int32 sums of an 8-pixel × 32-channel
// tile (gemm16_amd64.s); it needs AVX-512 F, BW and VNNI.
//
//go:noescape
func gemmTileVNNI(x *int16, stride uintptr, w *int16, kp int, acc *int32)
