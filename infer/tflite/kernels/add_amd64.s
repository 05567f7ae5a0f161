//go:build amd64 && !purego

#include "textflag.h"

// Quantized ADD of two same-shape 8-bit tensors, 8 elements per step
// (see add_simd.go for the parameter vectors at p, 8 int32 each):
//   x = mbqm((a + o1) << 20, m1, l1, r1), y = mbqm((b + o2) << 20, ...)
//   out = clamp(mbqm(x + y, mo, lo, ro) + oo, amin, amax)
// where mbqm is MultiplyByQuantizedMultiplier for m > 0: (x<<l)·m
// rounded-doubling-high, then a rounding right shift with ties away from
// zero, all exact in int32 lanes.

// MBQM8 is MultiplyByQuantizedMultiplier of the 8 int32 lanes of R with
// the stage whose parameter vectors are at M (multiplier), L (left
// shift), RS (right shift), MASK and HALF (mask >> 1) off DX: the left
// shift, the rounding doubling high multiply of the even and odd lanes
// (Y15 = 2^30 in int64 lanes), then the rounding right shift with ties
// away from zero. It uses Y12–Y14.
#define MBQM8(R, M, L, RS, MASK, HALF) \
	VPSLLVD L(DX), R, R; \
	VPMULDQ M(DX), R, Y12; \
	VPSRLQ $32, R, Y13; \
	VPMULDQ M(DX), Y13, Y13; \
	VPADDQ Y15, Y12, Y12; \
	VPADDQ Y15, Y13, Y13; \
	VPSRLQ $31, Y12, Y12; \
	VPSLLQ $1, Y13, Y13; \
	VPBLENDD $0xaa, Y13, Y12, R; \
	VPSRAVD RS(DX), R, Y12; \
	VPAND MASK(DX), R, Y13; \
	VPSRAD $31, R, Y14; \
	VPADDD Y14, Y13, Y13; \
	VPCMPGTD HALF(DX), Y13, Y13; \
	VPSUBD Y13, Y12, R

// ADD_STEP computes 8 elements from x (SI) and y (BX) and stores them at
// DI, widening the inputs with WIDEN (VPMOVZXBD or VPMOVSXBD); DX points
// at the parameter vectors and Y15 holds 2^30 in int64 lanes.
#define ADD_STEP(WIDEN) \
	WIDEN (SI), Y0; \
	WIDEN (BX), Y1; \
	VPADDD 0(DX), Y0, Y0; \
	VPADDD 32(DX), Y1, Y1; \
	MBQM8(Y0, 160, 192, 224, 256, 288); \
	MBQM8(Y1, 320, 352, 384, 416, 448); \
	VPADDD Y1, Y0, Y0; \
	MBQM8(Y0, 480, 512, 544, 576, 608); \
	VPADDD 64(DX), Y0, Y0; \
	VPMAXSD 96(DX), Y0, Y0; \
	VPMINSD 128(DX), Y0, Y0; \
	VPAND 672(DX), Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPACKUSDW X1, X0, X0; \
	VPACKUSWB X0, X0, X0; \
	MOVQ X0, (DI)

// func addQuantU8AVX2(x, y, out *byte, n int, p *int32)
// n is a multiple of 8.
TEXT ·addQuantU8AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ p+32(FP), DX
	VMOVDQU 640(DX), Y15
	SHRQ $3, CX
	JZ doneU8

loopU8:
	ADD_STEP(VPMOVZXBD)
	ADDQ $8, SI
	ADDQ $8, BX
	ADDQ $8, DI
	DECQ CX
	JNZ loopU8

doneU8:
	VZEROUPPER
	RET

// func addQuantI8AVX2(x, y, out *byte, n int, p *int32)
// n is a multiple of 8.
TEXT ·addQuantI8AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	MOVQ p+32(FP), DX
	VMOVDQU 640(DX), Y15
	SHRQ $3, CX
	JZ doneI8

loopI8:
	ADD_STEP(VPMOVSXBD)
	ADDQ $8, SI
	ADDQ $8, BX
	ADDQ $8, DI
	DECQ CX
	JNZ loopI8

doneI8:
	VZEROUPPER
	RET
