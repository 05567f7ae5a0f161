//go:build amd64 && !purego

#include "textflag.h"

// Float32 micro-kernels. Every product is rounded (VMULPS) before it is
// added (VADDPS), in tap order, one lane per output channel: the bits of
// dotF8 and depthwiseFloatFast. No FMA. Clamp operand order: Intel
// VMAXPS/VMINPS return their second source when the operands compare
// equal or either is NaN, so the sum is the second source (Go operand
// order: first) and a NaN sum stays NaN, as Go's min/max (see
// float_simd.go for the signed-zero conditions).

// The GEMM tiles: pixel i's taps are nseg segments of seglen floats, segment s
// at rows[i] + segs[s] bytes (one segment of k taps for 1x1 and im2col
// rows, KH or KH·KW segments for a convolution read in place); w holds
// nseg·seglen rows of 16 weights; out + i·ostride bytes receives the
// channels' clamp(Σ + bias), clamp = [actMin, actMax], for the first nout
// pixels (1 ≤ nout ≤ tile) and the channels whose mask lane is −1 (the
// others are not written). The AVX2 kernels take mask = nil for a whole
// block (VMASKMOVPS stores are slow on AMD cores); the AVX-512 kernel
// needs the mask.

// func gemmF32TileAVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)
TEXT ·gemmF32TileAVX2(SB), NOSPLIT, $0-88
	MOVQ rows+0(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ w+32(FP), DI
	MOVQ segs+8(FP), AX
	MOVQ nseg+16(FP), BX
	MOVQ seglen+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

avx2seg:
	MOVQ (AX), SI
	MOVQ DX, CX

avx2loop:
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	VBROADCASTSS (R8)(SI*1), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VADDPS Y11, Y0, Y0
	VADDPS Y12, Y1, Y1
	VBROADCASTSS (R9)(SI*1), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VADDPS Y11, Y2, Y2
	VADDPS Y12, Y3, Y3
	VBROADCASTSS (R10)(SI*1), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VADDPS Y11, Y4, Y4
	VADDPS Y12, Y5, Y5
	VBROADCASTSS (R11)(SI*1), Y10
	VMULPS Y8, Y10, Y11
	VMULPS Y9, Y10, Y12
	VADDPS Y11, Y6, Y6
	VADDPS Y12, Y7, Y7
	ADDQ $64, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  avx2loop
	ADDQ $8, AX
	DECQ BX
	JNZ  avx2seg

	MOVQ bias+40(FP), AX
	VMOVUPS (AX), Y8
	VMOVUPS 32(AX), Y9
	MOVQ clamp+48(FP), AX
	VBROADCASTSS (AX), Y14
	VBROADCASTSS 4(AX), Y15
	MOVQ out+56(FP), DI
	MOVQ ostride+64(FP), DX
	MOVQ nout+72(FP), CX
	MOVQ mask+80(FP), AX
	TESTQ AX, AX
	JZ   avx2full
	VMOVUPS (AX), Y12
	VMOVUPS 32(AX), Y13
	VADDPS Y8, Y0, Y0
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y15, Y0
	VMASKMOVPS Y0, Y12, 0(DI)
	VADDPS Y9, Y1, Y1
	VMAXPS Y1, Y14, Y1
	VMINPS Y1, Y15, Y1
	VMASKMOVPS Y1, Y13, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y2, Y2
	VMAXPS Y2, Y14, Y2
	VMINPS Y2, Y15, Y2
	VMASKMOVPS Y2, Y12, 0(DI)
	VADDPS Y9, Y3, Y3
	VMAXPS Y3, Y14, Y3
	VMINPS Y3, Y15, Y3
	VMASKMOVPS Y3, Y13, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y4, Y4
	VMAXPS Y4, Y14, Y4
	VMINPS Y4, Y15, Y4
	VMASKMOVPS Y4, Y12, 0(DI)
	VADDPS Y9, Y5, Y5
	VMAXPS Y5, Y14, Y5
	VMINPS Y5, Y15, Y5
	VMASKMOVPS Y5, Y13, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y6, Y6
	VMAXPS Y6, Y14, Y6
	VMINPS Y6, Y15, Y6
	VMASKMOVPS Y6, Y12, 0(DI)
	VADDPS Y9, Y7, Y7
	VMAXPS Y7, Y14, Y7
	VMINPS Y7, Y15, Y7
	VMASKMOVPS Y7, Y13, 32(DI)
	JMP  avx2done

// No mask: every channel of the block exists.
avx2full:
	VADDPS Y8, Y0, Y0
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y15, Y0
	VMOVUPS Y0, 0(DI)
	VADDPS Y9, Y1, Y1
	VMAXPS Y1, Y14, Y1
	VMINPS Y1, Y15, Y1
	VMOVUPS Y1, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y2, Y2
	VMAXPS Y2, Y14, Y2
	VMINPS Y2, Y15, Y2
	VMOVUPS Y2, 0(DI)
	VADDPS Y9, Y3, Y3
	VMAXPS Y3, Y14, Y3
	VMINPS Y3, Y15, Y3
	VMOVUPS Y3, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y4, Y4
	VMAXPS Y4, Y14, Y4
	VMINPS Y4, Y15, Y4
	VMOVUPS Y4, 0(DI)
	VADDPS Y9, Y5, Y5
	VMAXPS Y5, Y14, Y5
	VMINPS Y5, Y15, Y5
	VMOVUPS Y5, 32(DI)
	DECQ CX
	JZ   avx2done
	ADDQ DX, DI
	VADDPS Y8, Y6, Y6
	VMAXPS Y6, Y14, Y6
	VMINPS Y6, Y15, Y6
	VMOVUPS Y6, 0(DI)
	VADDPS Y9, Y7, Y7
	VMAXPS Y7, Y14, Y7
	VMINPS Y7, Y15, Y7
	VMOVUPS Y7, 32(DI)

avx2done:
	VZEROUPPER
	RET

// func gemmF32TileAVX512(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)
TEXT ·gemmF32TileAVX512(SB), NOSPLIT, $0-88
	MOVQ rows+0(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), R14
	MOVQ 56(AX), R15
	MOVQ w+32(FP), DI
	MOVQ segs+8(FP), AX
	MOVQ nseg+16(FP), BX
	MOVQ seglen+24(FP), DX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

avx512seg:
	MOVQ (AX), SI
	MOVQ DX, CX

avx512loop:
	VMOVUPS (DI), Z8
	VMULPS.BCST (R8)(SI*1), Z8, Z16
	VMULPS.BCST (R9)(SI*1), Z8, Z17
	VMULPS.BCST (R10)(SI*1), Z8, Z18
	VMULPS.BCST (R11)(SI*1), Z8, Z19
	VMULPS.BCST (R12)(SI*1), Z8, Z20
	VMULPS.BCST (R13)(SI*1), Z8, Z21
	VMULPS.BCST (R14)(SI*1), Z8, Z22
	VMULPS.BCST (R15)(SI*1), Z8, Z23
	VADDPS Z16, Z0, Z0
	VADDPS Z17, Z1, Z1
	VADDPS Z18, Z2, Z2
	VADDPS Z19, Z3, Z3
	VADDPS Z20, Z4, Z4
	VADDPS Z21, Z5, Z5
	VADDPS Z22, Z6, Z6
	VADDPS Z23, Z7, Z7
	ADDQ $64, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  avx512loop
	ADDQ $8, AX
	DECQ BX
	JNZ  avx512seg

	MOVQ bias+40(FP), AX
	VMOVUPS (AX), Z8
	MOVQ clamp+48(FP), AX
	VBROADCASTSS (AX), Z14
	VBROADCASTSS 4(AX), Z15
	MOVQ mask+80(FP), AX
	VMOVUPS (AX), Z13
	VPTESTMD Z13, Z13, K1
	MOVQ out+56(FP), DI
	MOVQ ostride+64(FP), DX
	MOVQ nout+72(FP), CX
	VADDPS Z8, Z0, Z0
	VMAXPS Z0, Z14, Z0
	VMINPS Z0, Z15, Z0
	VMOVUPS Z0, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z1, Z1
	VMAXPS Z1, Z14, Z1
	VMINPS Z1, Z15, Z1
	VMOVUPS Z1, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z2, Z2
	VMAXPS Z2, Z14, Z2
	VMINPS Z2, Z15, Z2
	VMOVUPS Z2, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z3, Z3
	VMAXPS Z3, Z14, Z3
	VMINPS Z3, Z15, Z3
	VMOVUPS Z3, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z4, Z4
	VMAXPS Z4, Z14, Z4
	VMINPS Z4, Z15, Z4
	VMOVUPS Z4, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z5, Z5
	VMAXPS Z5, Z14, Z5
	VMINPS Z5, Z15, Z5
	VMOVUPS Z5, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z6, Z6
	VMAXPS Z6, Z14, Z6
	VMINPS Z6, Z15, Z6
	VMOVUPS Z6, K1, (DI)
	DECQ CX
	JZ   avx512done
	ADDQ DX, DI
	VADDPS Z8, Z7, Z7
	VMAXPS Z7, Z14, Z7
	VMINPS Z7, Z15, Z7
	VMOVUPS Z7, K1, (DI)

avx512done:
	VZEROUPPER
	RET

// func dw3x3F32AVX2(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32)
//
// n output pixels of a 3x3 depthwise convolution (depth multiplier 1)
// whose taps all lie inside the image: pixel p's tap (ky, kx) of channel
// ch is in[p·sx + ky·dy + kx·dx + ch] (byte offsets), its weight
// w[(ky·3+kx)·c + ch], its output out[p·c + ch], c = 8·c8. Sums start at
// the bias and add the taps in row-major order.
TEXT ·dw3x3F32AVX2(SB), NOSPLIT, $0-80
	MOVQ clamp+72(FP), R12
	VBROADCASTSS (R12), Y14
	VBROADCASTSS 4(R12), Y15
	MOVQ in+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ bias+16(FP), BX
	MOVQ out+24(FP), DX
	MOVQ c8+32(FP), CX
	MOVQ dy+40(FP), R8
	MOVQ dx+48(FP), R9
	MOVQ sx+56(FP), R10
	MOVQ n+64(FP), R11
	MOVQ CX, R13
	SHLQ $5, R13 // c·4 bytes: the weight tap stride and the output pixel stride

dwchunk:
	MOVQ DI, R12
	VMOVUPS (R12), Y0
	VMOVUPS (R12)(R13*1), Y1
	VMOVUPS (R12)(R13*2), Y2
	LEAQ (R12)(R13*2), R12
	ADDQ R13, R12
	VMOVUPS (R12), Y3
	VMOVUPS (R12)(R13*1), Y4
	VMOVUPS (R12)(R13*2), Y5
	LEAQ (R12)(R13*2), R12
	ADDQ R13, R12
	VMOVUPS (R12), Y6
	VMOVUPS (R12)(R13*1), Y7
	VMOVUPS (R12)(R13*2), Y8
	VMOVUPS (BX), Y9
	MOVQ SI, R14
	MOVQ DX, R15
	MOVQ R11, AX

dwpixel:
	VMOVAPS Y9, Y10
	VMULPS (R14), Y0, Y11
	VADDPS Y11, Y10, Y10
	VMULPS (R14)(R9*1), Y1, Y12
	VADDPS Y12, Y10, Y10
	VMULPS (R14)(R9*2), Y2, Y13
	VADDPS Y13, Y10, Y10
	LEAQ (R14)(R8*1), R12
	VMULPS (R12), Y3, Y11
	VADDPS Y11, Y10, Y10
	VMULPS (R12)(R9*1), Y4, Y12
	VADDPS Y12, Y10, Y10
	VMULPS (R12)(R9*2), Y5, Y13
	VADDPS Y13, Y10, Y10
	ADDQ R8, R12
	VMULPS (R12), Y6, Y11
	VADDPS Y11, Y10, Y10
	VMULPS (R12)(R9*1), Y7, Y12
	VADDPS Y12, Y10, Y10
	VMULPS (R12)(R9*2), Y8, Y13
	VADDPS Y13, Y10, Y10
	VMAXPS Y10, Y14, Y10
	VMINPS Y10, Y15, Y10
	VMOVUPS Y10, (R15)
	ADDQ R10, R14
	ADDQ R13, R15
	DECQ AX
	JNZ  dwpixel

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, DX
	DECQ CX
	JNZ  dwchunk
	VZEROUPPER
	RET

// func dwTapsF32AVX2(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32)
//
// One output pixel of a float depthwise convolution (depth multiplier 1)
// from the ntaps taps listed (those inside the image, in row-major
// order): out[ch] = clamp(bias[ch] + Σ_t in[t][ch]·w[t][ch]), the sum
// taken in list order, c = 8·c8 channels.
TEXT ·dwTapsF32AVX2(SB), NOSPLIT, $0-56
	MOVQ clamp+48(FP), AX
	VBROADCASTSS (AX), Y14
	VBROADCASTSS 4(AX), Y15
	MOVQ in+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ ntaps+16(FP), R8
	MOVQ bias+24(FP), BX
	MOVQ out+32(FP), DX
	MOVQ c8+40(FP), CX
	XORQ R9, R9 // byte offset of the channel chunk

tapchunk:
	VMOVUPS (BX)(R9*1), Y0
	XORQ R10, R10
	TESTQ R8, R8
	JZ   tapdone

taploop:
	MOVQ (SI)(R10*8), R11
	MOVQ (DI)(R10*8), R12
	VMOVUPS (R11)(R9*1), Y1
	VMULPS (R12)(R9*1), Y1, Y1
	VADDPS Y1, Y0, Y0
	INCQ R10
	CMPQ R10, R8
	JLT  taploop

tapdone:
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y15, Y0
	VMOVUPS Y0, (DX)(R9*1)
	ADDQ $32, R9
	DECQ CX
	JNZ  tapchunk
	VZEROUPPER
	RET

// func gemmF32Tile8x8AVX2(rows **float32, segs *uintptr, nseg, seglen int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int, mask *int32)
//
// The GEMM tile for a block of at most 8 channels: 8 pixels × the first
// 8 lanes of each 16-channel weight row, ymm registers only.
TEXT ·gemmF32Tile8x8AVX2(SB), NOSPLIT, $0-88
	MOVQ rows+0(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), R14
	MOVQ 56(AX), R15
	MOVQ w+32(FP), DI
	MOVQ segs+8(FP), AX
	MOVQ nseg+16(FP), BX
	MOVQ seglen+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

t8seg:
	MOVQ (AX), SI
	MOVQ DX, CX

t8loop:
	VMOVUPS (DI), Y8
	VBROADCASTSS (R8)(SI*1), Y9
	VMULPS Y8, Y9, Y10
	VADDPS Y10, Y0, Y0
	VBROADCASTSS (R9)(SI*1), Y9
	VMULPS Y8, Y9, Y11
	VADDPS Y11, Y1, Y1
	VBROADCASTSS (R10)(SI*1), Y9
	VMULPS Y8, Y9, Y12
	VADDPS Y12, Y2, Y2
	VBROADCASTSS (R11)(SI*1), Y9
	VMULPS Y8, Y9, Y13
	VADDPS Y13, Y3, Y3
	VBROADCASTSS (R12)(SI*1), Y9
	VMULPS Y8, Y9, Y10
	VADDPS Y10, Y4, Y4
	VBROADCASTSS (R13)(SI*1), Y9
	VMULPS Y8, Y9, Y11
	VADDPS Y11, Y5, Y5
	VBROADCASTSS (R14)(SI*1), Y9
	VMULPS Y8, Y9, Y12
	VADDPS Y12, Y6, Y6
	VBROADCASTSS (R15)(SI*1), Y9
	VMULPS Y8, Y9, Y13
	VADDPS Y13, Y7, Y7
	ADDQ $64, DI
	ADDQ $4, SI
	DECQ CX
	JNZ  t8loop
	ADDQ $8, AX
	DECQ BX
	JNZ  t8seg

	MOVQ bias+40(FP), AX
	VMOVUPS (AX), Y8
	MOVQ clamp+48(FP), AX
	VBROADCASTSS (AX), Y14
	VBROADCASTSS 4(AX), Y15
	MOVQ out+56(FP), DI
	MOVQ ostride+64(FP), DX
	MOVQ nout+72(FP), CX
	MOVQ mask+80(FP), AX
	TESTQ AX, AX
	JZ   t8full
	VMOVUPS (AX), Y13
	VADDPS Y8, Y0, Y0
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y15, Y0
	VMASKMOVPS Y0, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y1, Y1
	VMAXPS Y1, Y14, Y1
	VMINPS Y1, Y15, Y1
	VMASKMOVPS Y1, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y2, Y2
	VMAXPS Y2, Y14, Y2
	VMINPS Y2, Y15, Y2
	VMASKMOVPS Y2, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y3, Y3
	VMAXPS Y3, Y14, Y3
	VMINPS Y3, Y15, Y3
	VMASKMOVPS Y3, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y4, Y4
	VMAXPS Y4, Y14, Y4
	VMINPS Y4, Y15, Y4
	VMASKMOVPS Y4, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y5, Y5
	VMAXPS Y5, Y14, Y5
	VMINPS Y5, Y15, Y5
	VMASKMOVPS Y5, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y6, Y6
	VMAXPS Y6, Y14, Y6
	VMINPS Y6, Y15, Y6
	VMASKMOVPS Y6, Y13, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y7, Y7
	VMAXPS Y7, Y14, Y7
	VMINPS Y7, Y15, Y7
	VMASKMOVPS Y7, Y13, (DI)
	JMP  t8done

// No mask: all 8 channels exist.
t8full:
	VADDPS Y8, Y0, Y0
	VMAXPS Y0, Y14, Y0
	VMINPS Y0, Y15, Y0
	VMOVUPS Y0, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y1, Y1
	VMAXPS Y1, Y14, Y1
	VMINPS Y1, Y15, Y1
	VMOVUPS Y1, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y2, Y2
	VMAXPS Y2, Y14, Y2
	VMINPS Y2, Y15, Y2
	VMOVUPS Y2, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y3, Y3
	VMAXPS Y3, Y14, Y3
	VMINPS Y3, Y15, Y3
	VMOVUPS Y3, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y4, Y4
	VMAXPS Y4, Y14, Y4
	VMINPS Y4, Y15, Y4
	VMOVUPS Y4, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y5, Y5
	VMAXPS Y5, Y14, Y5
	VMINPS Y5, Y15, Y5
	VMOVUPS Y5, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y6, Y6
	VMAXPS Y6, Y14, Y6
	VMINPS Y6, Y15, Y6
	VMOVUPS Y6, (DI)
	DECQ CX
	JZ   t8done
	ADDQ DX, DI
	VADDPS Y8, Y7, Y7
	VMAXPS Y7, Y14, Y7
	VMINPS Y7, Y15, Y7
	VMOVUPS Y7, (DI)

t8done:
	VZEROUPPER
	RET
