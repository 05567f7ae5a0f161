//go:build amd64 && !purego

#include "textflag.h"

// func requantTileAVX2(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int)
//
// Requantizes rows × (8·groups) int32 sums (row stride nr int32) into
// bytes (row stride ostride bytes) with the per-channel parameters at q: for
// each group of 8 channels ten vectors of 8 int32, in the order
// cst, left, m, right, mask, mask>>1, isRef, lo, hi, off (see
// requant_simd.go). Per lane:
//   a   = (sum + cst) << left                  (int32, wrapping)
//   h   = (int64(a)·m + 2^30) >> 31            (fits int32 for m ≥ 0)
//   r   = (h >> right) + ((h & mask) > (mask>>1) + (isRef & (h < 0)))
//   out = byte(min(max(r, lo), hi) + off)
TEXT ·requantTileAVX2(SB), NOSPLIT, $0-56
	MOVQ sums+0(FP), SI
	MOVQ q+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ rows+24(FP), R8
	MOVQ groups+32(FP), R9
	MOVQ nr+40(FP), R10
	MOVQ ostride+48(FP), R13
	MOVQ $0x40000000, AX
	MOVQ AX, X12
	VPBROADCASTQ X12, Y12
	MOVL $0xff, AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	TESTQ R8, R8
	JZ done
	TESTQ R9, R9
	JZ done

group:
	VMOVDQU 64(DX), Y0
	VPSRLQ $32, Y0, Y1
	VMOVDQU 96(DX), Y2
	VMOVDQU 128(DX), Y3
	VMOVDQU 160(DX), Y4
	VMOVDQU 192(DX), Y5
	VMOVDQU 224(DX), Y6
	VMOVDQU 256(DX), Y7
	VMOVDQU 288(DX), Y8
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R8, CX

row:
	VMOVDQU (R11), Y9
	VPADDD (DX), Y9, Y9
	VPSLLVD 32(DX), Y9, Y9
	VPMULDQ Y0, Y9, Y10
	VPSRLQ $32, Y9, Y11
	VPMULDQ Y1, Y11, Y11
	VPADDQ Y12, Y10, Y10
	VPADDQ Y12, Y11, Y11
	VPSRLQ $31, Y10, Y10
	VPSLLQ $1, Y11, Y11
	VPBLENDD $0xaa, Y11, Y10, Y9
	VPSRAVD Y2, Y9, Y10
	VPAND Y3, Y9, Y11
	VPSRAD $31, Y9, Y14
	VPAND Y5, Y14, Y14
	VPSUBD Y14, Y4, Y14
	VPCMPGTD Y14, Y11, Y11
	VPSUBD Y11, Y10, Y10
	VPMAXSD Y6, Y10, Y10
	VPMINSD Y7, Y10, Y10
	VPADDD Y8, Y10, Y10
	VPAND Y13, Y10, Y10
	VEXTRACTI128 $1, Y10, X11
	VPACKUSDW X11, X10, X10
	VPACKUSWB X10, X10, X10
	MOVQ X10, (R12)
	LEAQ (R11)(R10*4), R11
	ADDQ R13, R12
	DECQ CX
	JNZ row

	ADDQ $32, SI
	ADDQ $8, DI
	ADDQ $320, DX
	DECQ R9
	JNZ group

done:
	VZEROUPPER
	RET

// func widenAVX2(dst *int16, src *int8, n int, flip uint8)
// dst[i] = int16(int8(src[i] ^ flip)) for i < n, n a multiple of 16.
TEXT ·widenAVX2(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVBLZX flip+24(FP), AX
	MOVQ AX, X1
	VPBROADCASTB X1, X1
	SHRQ $4, CX
	JZ wdone

wloop:
	VMOVDQU (SI), X0
	VPXOR X1, X0, X0
	VPMOVSXBW X0, Y0
	VMOVDQU Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ wloop

wdone:
	VZEROUPPER
	RET

// func requantTileVNNI(sums *int32, q *int32, out *byte, rows, groups, nr, ostride int)
//
// requantTileAVX2 in AVX-512, 16 channels per group (ten vectors of 16
// int32 each); the carry of the rounding shift is a masked add and the
// bytes are the truncation VPMOVDB.
TEXT ·requantTileVNNI(SB), NOSPLIT, $0-56
	MOVQ sums+0(FP), SI
	MOVQ q+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ rows+24(FP), R8
	MOVQ groups+32(FP), R9
	MOVQ nr+40(FP), R10
	MOVQ ostride+48(FP), R13
	MOVQ $0x40000000, AX
	VPBROADCASTQ AX, Z12
	MOVL $1, AX
	VPBROADCASTD AX, Z13
	MOVL $0xaaaa, AX
	KMOVW AX, K1
	TESTQ R8, R8
	JZ zdone
	TESTQ R9, R9
	JZ zdone

zgroup:
	VMOVDQU32 (DX), Z15
	VMOVDQU32 64(DX), Z16
	VMOVDQU32 128(DX), Z0
	VPSRLQ $32, Z0, Z1
	VMOVDQU32 192(DX), Z2
	VMOVDQU32 256(DX), Z3
	VMOVDQU32 320(DX), Z4
	VMOVDQU32 384(DX), Z5
	VMOVDQU32 448(DX), Z6
	VMOVDQU32 512(DX), Z7
	VMOVDQU32 576(DX), Z8
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R8, CX

zrow:
	VMOVDQU32 (R11), Z9
	VPADDD Z15, Z9, Z9
	VPSLLVD Z16, Z9, Z9
	VPMULDQ Z0, Z9, Z10
	VPSRLQ $32, Z9, Z11
	VPMULDQ Z1, Z11, Z11
	VPADDQ Z12, Z10, Z10
	VPADDQ Z12, Z11, Z11
	VPSRLQ $31, Z10, Z10
	VPSLLQ $1, Z11, Z11
	VPBLENDMD Z11, Z10, K1, Z9
	VPSRAVD Z2, Z9, Z10
	VPANDD Z3, Z9, Z11
	VPSRAD $31, Z9, Z14
	VPANDD Z5, Z14, Z14
	VPSUBD Z14, Z4, Z14
	VPCMPGTD Z14, Z11, K2
	VPADDD Z13, Z10, K2, Z10
	VPMAXSD Z6, Z10, Z10
	VPMINSD Z7, Z10, Z10
	VPADDD Z8, Z10, Z10
	VPMOVDB Z10, X10
	VMOVDQU X10, (R12)
	LEAQ (R11)(R10*4), R11
	ADDQ R13, R12
	DECQ CX
	JNZ zrow

	ADDQ $64, SI
	ADDQ $16, DI
	ADDQ $640, DX
	DECQ R9
	JNZ zgroup

zdone:
	VZEROUPPER
	RET
