//go:build amd64 && !purego

#include "textflag.h"

// Depthwise 3x3 micro-kernels (see depthwise_simd.go). For n output
// pixels, sx bytes apart in the input, and c8 groups of 8 channels:
//   acc[p][c] = cst[c] + Σ_{ky,kx} x(p, ky, kx)[c] · w[ky][kx][c]
// where tap (ky, kx) of pixel p is at in + p·sx + ky·dy + kx·dx. w holds,
// per group, 9 taps of 8 int32 whose high 16 bits are zero, so VPMADDWD of
// the widened input (x in the low word, 0 or −1 in the high one) and w
// is the exact product x·w. The sums wrap like TFLite's int32 ones.

// DW3X3_AVX2 is the body of dw3x3U8AVX2 (WIDEN_BD = VPMOVZXBD) and
// dw3x3I8AVX2 (VPMOVSXBD); its other parameters are the labels, which each
// function names apart.
#define DW3X3_AVX2(DONE, PIXEL, GROUP, WIDEN_BD) \
	MOVQ in+0(FP), SI; \
	MOVQ acc+24(FP), R8; \
	MOVQ dy+40(FP), R10; \
	MOVQ dx+48(FP), R11; \
	MOVQ sx+56(FP), R12; \
	MOVQ n+64(FP), R13; \
	TESTQ R13, R13; \
	JZ DONE; \
PIXEL: \
	MOVQ w+8(FP), DI; \
	MOVQ cst+16(FP), DX; \
	MOVQ c8+32(FP), R9; \
	MOVQ SI, BX; \
	LEAQ (SI)(R10*1), CX; \
	LEAQ (CX)(R10*1), AX; \
GROUP: \
	VMOVDQU (DX), Y0; \
	VPXOR Y1, Y1, Y1; \
	WIDEN_BD (BX), Y2; \
	VPMADDWD 0(DI), Y2, Y2; \
	VPADDD Y2, Y0, Y0; \
	WIDEN_BD (BX)(R11*1), Y3; \
	VPMADDWD 32(DI), Y3, Y3; \
	VPADDD Y3, Y1, Y1; \
	WIDEN_BD (BX)(R11*2), Y4; \
	VPMADDWD 64(DI), Y4, Y4; \
	VPADDD Y4, Y0, Y0; \
	WIDEN_BD (CX), Y5; \
	VPMADDWD 96(DI), Y5, Y5; \
	VPADDD Y5, Y1, Y1; \
	WIDEN_BD (CX)(R11*1), Y2; \
	VPMADDWD 128(DI), Y2, Y2; \
	VPADDD Y2, Y0, Y0; \
	WIDEN_BD (CX)(R11*2), Y3; \
	VPMADDWD 160(DI), Y3, Y3; \
	VPADDD Y3, Y1, Y1; \
	WIDEN_BD (AX), Y4; \
	VPMADDWD 192(DI), Y4, Y4; \
	VPADDD Y4, Y0, Y0; \
	WIDEN_BD (AX)(R11*1), Y5; \
	VPMADDWD 224(DI), Y5, Y5; \
	VPADDD Y5, Y1, Y1; \
	WIDEN_BD (AX)(R11*2), Y2; \
	VPMADDWD 256(DI), Y2, Y2; \
	VPADDD Y2, Y0, Y0; \
	VPADDD Y1, Y0, Y0; \
	VMOVDQU Y0, (R8); \
	ADDQ $32, R8; \
	ADDQ $288, DI; \
	ADDQ $32, DX; \
	ADDQ $8, BX; \
	ADDQ $8, CX; \
	ADDQ $8, AX; \
	DECQ R9; \
	JNZ GROUP; \
	ADDQ R12, SI; \
	DECQ R13; \
	JNZ PIXEL; \
DONE: \
	VZEROUPPER; \
	RET

// func dw3x3U8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int)
TEXT ·dw3x3U8AVX2(SB), NOSPLIT, $0-72
	DW3X3_AVX2(doneU8, pixelU8, groupU8, VPMOVZXBD)

// func dw3x3I8AVX2(in *byte, w *int32, cst *int32, acc *int32, c8 int, dy, dx, sx uintptr, n int)
TEXT ·dw3x3I8AVX2(SB), NOSPLIT, $0-72
	DW3X3_AVX2(doneI8, pixelI8, groupI8, VPMOVSXBD)
