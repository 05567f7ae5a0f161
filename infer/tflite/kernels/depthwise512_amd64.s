//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 depthwise 3x3 micro-kernels for the vnni path (see
// depthwise512.go), 16 channels per ZMM register. Weights are packed per
// group of 16 channels as 9 taps of 16 int32 whose high 16 bits are zero;
// the input bytes are zero- (uint8) or sign-extended (int8) to int32, so
// in VPDPWSSD, which adds the two int16 products of each int32 lane to
// the accumulator without saturation, the high halves multiply to 0 and
// the low ones give the exact x·w. Sums wrap like TFLite's int32 ones.

// LOAD_GROUP loads a group's 9 tap weight vectors (DI) into Z16–Z24 and
// its constant (DX) into Z25, for the interior kernels below.
#define LOAD_GROUP \
	VMOVDQU32 0(DI), Z16; \
	VMOVDQU32 64(DI), Z17; \
	VMOVDQU32 128(DI), Z18; \
	VMOVDQU32 192(DI), Z19; \
	VMOVDQU32 256(DI), Z20; \
	VMOVDQU32 320(DI), Z21; \
	VMOVDQU32 384(DI), Z22; \
	VMOVDQU32 448(DI), Z23; \
	VMOVDQU32 512(DI), Z24; \
	VMOVDQU32 (DX), Z25

// DW3X3_VNNI is the body of dw3x3U8VNNI (WIDEN_BD = VPMOVZXBD) and
// dw3x3I8VNNI (VPMOVSXBD); its other parameters are the labels, which each
// function names apart.
#define DW3X3_VNNI(DONE, GROUP, PIXEL, WIDEN_BD) \
	MOVQ in+0(FP), SI; \
	MOVQ w+8(FP), DI; \
	MOVQ cst+16(FP), DX; \
	MOVQ acc+24(FP), R8; \
	MOVQ c16+32(FP), R9; \
	MOVQ dy+40(FP), R10; \
	MOVQ dx+48(FP), R11; \
	MOVQ sx+56(FP), R12; \
	TESTQ R9, R9; \
	JZ DONE; \
	CMPQ n+64(FP), $0; \
	JLE DONE; \
GROUP: \
	LOAD_GROUP; \
	MOVQ n+64(FP), R13; \
	MOVQ SI, BX; \
	MOVQ R8, R14; \
PIXEL: \
	LEAQ (BX)(R10*1), CX; \
	LEAQ (CX)(R10*1), AX; \
	VMOVDQA32 Z25, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	WIDEN_BD (BX), Z3; \
	WIDEN_BD (BX)(R11*1), Z4; \
	WIDEN_BD (BX)(R11*2), Z5; \
	WIDEN_BD (CX), Z6; \
	WIDEN_BD (CX)(R11*1), Z7; \
	WIDEN_BD (CX)(R11*2), Z8; \
	WIDEN_BD (AX), Z9; \
	WIDEN_BD (AX)(R11*1), Z10; \
	WIDEN_BD (AX)(R11*2), Z11; \
	VPDPWSSD Z3, Z16, Z0; \
	VPDPWSSD Z4, Z17, Z0; \
	VPDPWSSD Z5, Z18, Z0; \
	VPDPWSSD Z6, Z19, Z1; \
	VPDPWSSD Z7, Z20, Z1; \
	VPDPWSSD Z8, Z21, Z1; \
	VPDPWSSD Z9, Z22, Z2; \
	VPDPWSSD Z10, Z23, Z2; \
	VPDPWSSD Z11, Z24, Z2; \
	VPADDD Z1, Z0, Z0; \
	VPADDD Z2, Z0, Z0; \
	VMOVDQU32 Z0, (R14); \
	ADDQ R12, BX; \
	ADDQ accStride+72(FP), R14; \
	DECQ R13; \
	JNZ PIXEL; \
	ADDQ $16, SI; \
	ADDQ $576, DI; \
	ADDQ $64, DX; \
	ADDQ $64, R8; \
	DECQ R9; \
	JNZ GROUP; \
DONE: \
	VZEROUPPER; \
	RET

// DWTAPS_VNNI is the body of dwTapsU8VNNI (WIDEN_BD = VPMOVZXBD) and
// dwTapsI8VNNI (VPMOVSXBD); its other parameters are the labels, which
// each function names apart.
#define DWTAPS_VNNI(TDONE, TGROUP, WIDEN_BD) \
	MOVQ taps+0(FP), R14; \
	MOVQ w+8(FP), DI; \
	MOVQ cst+16(FP), R12; \
	MOVQ acc+24(FP), R13; \
	MOVQ c16+32(FP), R15; \
	TESTQ R15, R15; \
	JZ TDONE; \
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
TGROUP: \
	VMOVDQU32 (R12)(R14*4), Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	WIDEN_BD (AX)(R14*1), Z3; \
	WIDEN_BD (BX)(R14*1), Z4; \
	WIDEN_BD (CX)(R14*1), Z5; \
	WIDEN_BD (DX)(R14*1), Z6; \
	WIDEN_BD (SI)(R14*1), Z7; \
	WIDEN_BD (R8)(R14*1), Z8; \
	WIDEN_BD (R9)(R14*1), Z9; \
	WIDEN_BD (R10)(R14*1), Z10; \
	WIDEN_BD (R11)(R14*1), Z11; \
	VPDPWSSD 0(DI), Z3, Z0; \
	VPDPWSSD 64(DI), Z4, Z0; \
	VPDPWSSD 128(DI), Z5, Z0; \
	VPDPWSSD 192(DI), Z6, Z1; \
	VPDPWSSD 256(DI), Z7, Z1; \
	VPDPWSSD 320(DI), Z8, Z1; \
	VPDPWSSD 384(DI), Z9, Z2; \
	VPDPWSSD 448(DI), Z10, Z2; \
	VPDPWSSD 512(DI), Z11, Z2; \
	VPADDD Z1, Z0, Z0; \
	VPADDD Z2, Z0, Z0; \
	VMOVDQU32 Z0, (R13)(R14*4); \
	ADDQ $16, R14; \
	ADDQ $576, DI; \
	DECQ R15; \
	JNZ TGROUP; \
TDONE: \
	VZEROUPPER; \
	RET

// S1_PIXEL is one output pixel of the stride-1 kernel below: it widens
// the new input column (BX; C0–C2 for the filter's rows 0–2) and adds the
// 9 taps of columns A, B, C (left to right) to the constant, stores the
// sums at R14 and jumps to SNEXT after the last pixel. The kernel rotates
// the three columns' registers through its three unrolled pixels.
#define S1_PIXEL(WIDEN_BD, A0, A1, A2, B0, B1, B2, C0, C1, C2, SNEXT) \
	WIDEN_BD (BX), C0; \
	WIDEN_BD (BX)(R10*1), C1; \
	WIDEN_BD (BX)(R10*2), C2; \
	ADDQ R11, BX; \
	VMOVDQA32 Z25, Z0; \
	VPXORD Z1, Z1, Z1; \
	VPXORD Z2, Z2, Z2; \
	VPDPWSSD A0, Z16, Z0; \
	VPDPWSSD B0, Z17, Z1; \
	VPDPWSSD C0, Z18, Z2; \
	VPDPWSSD A1, Z19, Z0; \
	VPDPWSSD B1, Z20, Z1; \
	VPDPWSSD C1, Z21, Z2; \
	VPDPWSSD A2, Z22, Z0; \
	VPDPWSSD B2, Z23, Z1; \
	VPDPWSSD C2, Z24, Z2; \
	VPADDD Z1, Z0, Z0; \
	VPADDD Z2, Z0, Z0; \
	VMOVDQU32 Z0, (R14); \
	ADDQ accStride+64(FP), R14; \
	DECQ R13; \
	JZ SNEXT

// DW3X3S1_VNNI is the body of dw3x3S1U8VNNI (WIDEN_BD = VPMOVZXBD) and
// dw3x3S1I8VNNI (VPMOVSXBD); its other parameters are the labels, which
// each function names apart.
#define DW3X3S1_VNNI(SDONE, SGROUP, WIDEN_BD, SPIX0, SNEXT, SPIX1, SPIX2) \
	MOVQ in+0(FP), SI; \
	MOVQ w+8(FP), DI; \
	MOVQ cst+16(FP), DX; \
	MOVQ acc+24(FP), R8; \
	MOVQ c16+32(FP), R9; \
	MOVQ dy+40(FP), R10; \
	MOVQ dx+48(FP), R11; \
	TESTQ R9, R9; \
	JZ SDONE; \
	CMPQ n+56(FP), $0; \
	JLE SDONE; \
SGROUP: \
	LOAD_GROUP; \
	MOVQ n+56(FP), R13; \
	MOVQ SI, BX; \
	MOVQ R8, R14; \
	WIDEN_BD (BX), Z3; \
	WIDEN_BD (BX)(R10*1), Z4; \
	WIDEN_BD (BX)(R10*2), Z5; \
	ADDQ R11, BX; \
	WIDEN_BD (BX), Z6; \
	WIDEN_BD (BX)(R10*1), Z7; \
	WIDEN_BD (BX)(R10*2), Z8; \
	ADDQ R11, BX; \
SPIX0: \
	S1_PIXEL(WIDEN_BD, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, SNEXT); \
SPIX1: \
	S1_PIXEL(WIDEN_BD, Z6, Z7, Z8, Z9, Z10, Z11, Z3, Z4, Z5, SNEXT); \
SPIX2: \
	S1_PIXEL(WIDEN_BD, Z9, Z10, Z11, Z3, Z4, Z5, Z6, Z7, Z8, SNEXT); \
	JMP SPIX0; \
SNEXT: \
	ADDQ $16, SI; \
	ADDQ $576, DI; \
	ADDQ $64, DX; \
	ADDQ $64, R8; \
	DECQ R9; \
	JNZ SGROUP; \
SDONE: \
	VZEROUPPER; \
	RET

// func dw3x3U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr)
//
// For n output pixels (sx bytes apart in the input) and c16 groups of 16
// channels: acc[p][c] = cst[c] + Σ_{ky,kx} x(p, ky, kx)[c]·w[ky][kx][c],
// tap (ky, kx) of pixel p at in + p·sx + ky·dy + kx·dx; acc rows are
// accStride bytes apart. The group loop is outside, so the 9 weight
// vectors and the constant stay in registers for all n pixels.
TEXT ·dw3x3U8VNNI(SB), NOSPLIT, $0-80
	DW3X3_VNNI(doneU8, groupU8, pixelU8, VPMOVZXBD)

// func dwTapsU8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int)
//
// One output pixel whose 9 taps are at taps[0..8] (an input pixel, or a
// row of the input zero point for a tap outside the image): acc[c] =
// cst[c] + Σ_t x(taps[t])[c]·w[t][c] for c16 groups of 16 channels.
TEXT ·dwTapsU8VNNI(SB), NOSPLIT, $0-40
	DWTAPS_VNNI(tdoneU8, tgroupU8, VPMOVZXBD)

// func dw3x3I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx, sx uintptr, n int, accStride uintptr)
//
// For n output pixels (sx bytes apart in the input) and c16 groups of 16
// channels: acc[p][c] = cst[c] + Σ_{ky,kx} x(p, ky, kx)[c]·w[ky][kx][c],
// tap (ky, kx) of pixel p at in + p·sx + ky·dy + kx·dx; acc rows are
// accStride bytes apart. The group loop is outside, so the 9 weight
// vectors and the constant stay in registers for all n pixels.
TEXT ·dw3x3I8VNNI(SB), NOSPLIT, $0-80
	DW3X3_VNNI(doneI8, groupI8, pixelI8, VPMOVSXBD)

// func dwTapsI8VNNI(taps *[9]*byte, w *int32, cst *int32, acc *int32, c16 int)
//
// One output pixel whose 9 taps are at taps[0..8] (an input pixel, or a
// row of the input zero point for a tap outside the image): acc[c] =
// cst[c] + Σ_t x(taps[t])[c]·w[t][c] for c16 groups of 16 channels.
TEXT ·dwTapsI8VNNI(SB), NOSPLIT, $0-40
	DWTAPS_VNNI(tdoneI8, tgroupI8, VPMOVSXBD)

// func dw3x3S1U8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr)
//
// dw3x3U8VNNI for sx = dx (stride = dilation, e.g. both 1):
// pixel p+1 reads two of pixel p's three input columns, so the widened
// columns stay in registers (three sets in rotation, the loop unrolled by
// three) and each pixel widens only its new column, 3 loads instead of 9.
TEXT ·dw3x3S1U8VNNI(SB), NOSPLIT, $0-72
	DW3X3S1_VNNI(sdoneU8, sgroupU8, VPMOVZXBD, spixU80, snextU8, spixU81, spixU82)

// func dw3x3S1I8VNNI(in *byte, w *int32, cst *int32, acc *int32, c16 int, dy, dx uintptr, n int, accStride uintptr)
//
// dw3x3I8VNNI for sx = dx (stride = dilation, e.g. both 1):
// pixel p+1 reads two of pixel p's three input columns, so the widened
// columns stay in registers (three sets in rotation, the loop unrolled by
// three) and each pixel widens only its new column, 3 loads instead of 9.
TEXT ·dw3x3S1I8VNNI(SB), NOSPLIT, $0-72
	DW3X3S1_VNNI(sdoneI8, sgroupI8, VPMOVSXBD, spixI80, snextI8, spixI81, spixI82)
