//go:build amd64 && !purego

#include "textflag.h"

// AVX2 depthwise 3x3 border kernels (see depthwise_simd.go): like the
// interior kernels of depthwise_amd64.s (VPMADDWD of the widened input and
// weights with zero high halves, exact), but one output pixel whose 9 taps
// are read through pointers.

// DWTAPS_AVX2 is the body of dwTapsU8AVX2 (WIDEN_BD = VPMOVZXBD) and
// dwTapsI8AVX2 (VPMOVSXBD); its other parameters are the labels, which
// each function names apart.
#define DWTAPS_AVX2(DONE, GROUP, WIDEN_BD) \
	MOVQ taps+0(FP), R14; \
	MOVQ w+8(FP), DI; \
	MOVQ cst+16(FP), R12; \
	MOVQ acc+24(FP), R13; \
	MOVQ c8+32(FP), R15; \
	TESTQ R15, R15; \
	JZ DONE; \
	MOVQ 0(R14), AX; \
	MOVQ 8(R14), BX; \
	MOVQ 16(R14), CX; \
	MOVQ 24(R14), DX; \
	MOVQ 32(R14), SI; \
	MOVQ 40(R14), R8; \
	MOVQ 48(R14), R9; \
	MOVQ 56(R14), R10; \
	MOVQ 64(R14), R11; \
	XORQ R14, R14; \
GROUP: \
	VMOVDQU (R12)(R14*4), Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	WIDEN_BD (AX)(R14*1), Y3; \
	VPMADDWD 0(DI), Y3, Y3; \
	VPADDD Y3, Y0, Y0; \
	WIDEN_BD (BX)(R14*1), Y4; \
	VPMADDWD 32(DI), Y4, Y4; \
	VPADDD Y4, Y1, Y1; \
	WIDEN_BD (CX)(R14*1), Y5; \
	VPMADDWD 64(DI), Y5, Y5; \
	VPADDD Y5, Y2, Y2; \
	WIDEN_BD (DX)(R14*1), Y6; \
	VPMADDWD 96(DI), Y6, Y6; \
	VPADDD Y6, Y0, Y0; \
	WIDEN_BD (SI)(R14*1), Y7; \
	VPMADDWD 128(DI), Y7, Y7; \
	VPADDD Y7, Y1, Y1; \
	WIDEN_BD (R8)(R14*1), Y8; \
	VPMADDWD 160(DI), Y8, Y8; \
	VPADDD Y8, Y2, Y2; \
	WIDEN_BD (R9)(R14*1), Y3; \
	VPMADDWD 192(DI), Y3, Y3; \
	VPADDD Y3, Y0, Y0; \
	WIDEN_BD (R10)(R14*1), Y4; \
	VPMADDWD 224(DI), Y4, Y4; \
	VPADDD Y4, Y1, Y1; \
	WIDEN_BD (R11)(R14*1), Y5; \
	VPMADDWD 256(DI), Y5, Y5; \
	VPADDD Y5, Y2, Y2; \
	VPADDD Y1, Y0, Y0; \
	VPADDD Y2, Y0, Y0; \
	VMOVDQU Y0, (R13)(R14*4); \
	ADDQ $8, R14; \
	ADDQ $288, DI; \
	DECQ R15; \
	JNZ GROUP; \
DONE: \
	VZEROUPPER; \
	RET

// func dwTapsU8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int)
//
// acc[c] = cst[c] + Σ_t x(taps[t])[c]·w[t][c] for c8 groups of 8 channels;
// a tap outside the image points at a row of the input zero point.
TEXT ·dwTapsU8AVX2(SB), NOSPLIT, $0-40
	DWTAPS_AVX2(doneU8, groupU8, VPMOVZXBD)

// func dwTapsI8AVX2(taps *[9]*byte, w *int32, cst *int32, acc *int32, c8 int)
//
// acc[c] = cst[c] + Σ_t x(taps[t])[c]·w[t][c] for c8 groups of 8 channels;
// a tap outside the image points at a row of the input zero point.
TEXT ·dwTapsI8AVX2(SB), NOSPLIT, $0-40
	DWTAPS_AVX2(doneI8, groupI8, VPMOVSXBD)
