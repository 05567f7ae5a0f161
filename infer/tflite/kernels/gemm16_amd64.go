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

// requantTileAVX2 requantizes a tile of sums into bytes with parameters
// built by packRequant (requant_amd64.s); it needs AVX2.
//
//go:noescape
func requantTileAVX2(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int)

// widenAVX2 sign-extends n (a multiple of 16) bytes XOR flip to int16
// (requant_amd64.s); it needs AVX2.
//
//go:noescape
func widenAVX2(dst *int16, src *int8, n int, flip uint8)

// dw3x3U8AVX2 and dw3x3I8AVX2 compute the int32 sums of n depthwise 3x3
// output pixels whose taps are all inside the image (depthwise_amd64.s);
// they need AVX2.
//
//go:noescape
func dw3x3U8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int)

//go:noescape
func dw3x3I8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int)

// requantTileVNNI is requantTileAVX2 with 16-channel groups
// (requant_amd64.s); it needs AVX-512 F and BW.
//
//go:noescape
func requantTileVNNI(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int)

// addQuantU8AVX2 and addQuantI8AVX2 compute quantized ADD of n (a
// multiple of 8) elements with the parameter vectors of addVectors
// (add_amd64.s); they need AVX2.
//
//go:noescape
func addQuantU8AVX2(x, y, out *byte, n int, p *int32)

//go:noescape
func addQuantI8AVX2(x, y, out *byte, n int, p *int32)

// gemmTileVNNI8 computes the exact int32 sums of an 8-pixel × 32-channel
// tile of unsigned input bytes and signed weight bytes with VPDPBUSD
// (gemm16_amd64.s); it needs AVX-512 F, BW and VNNI.
//
//go:noescape
func gemmTileVNNI8(x *byte, stride uintptr, w *int8, k4 int, acc *int32, init *int32)

// prepU8AVX2 writes src XOR xor to dst for n (a multiple of 8) bytes and
// returns the sum of the written bytes (gemm16_amd64.s); it needs AVX2.
//
//go:noescape
func prepU8AVX2(dst, src *byte, n int, xor uint8) int
