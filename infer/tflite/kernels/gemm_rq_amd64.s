//go:build amd64 && !purego

#include "textflag.h"

// The VNNI path's fused micro-kernel (see gemm_rq.go): VPDPBUSD sums of an
// 8-pixel × 32-channel tile kept in Z0..Z15 (pixel p: Z(2p) channels 0-15,
// Z(2p+1) channels 16-31), requantized in registers and stored as bytes.

// RQ requantizes the 16 int32 sums in acc with the parameter group at q
// (packRequant64's layout, 64 bytes per vector), using te/to and ke/ko as
// temporaries; Z30 holds −2^30 in every int64 lane and K1 selects the odd
// int32 lanes.
//   a  = acc << left (int32, wrapping)
//   P  = int64(a)·m for even and odd lanes apart (VPMULDQ)
//   P += 2^30 + half·2^31, plus negAdj·2^31 where P < −2^30
//   r  = P >> (31 + right)
//   acc = min(max(r, lo), hi) + off
#define RQ(acc, q, te, to, ke, ko) \
	VPSLLVD 64(q), acc, acc; \
	VPSRLQ $32, acc, to; \
	VPMULDQ 128(q), acc, te; \
	VPMULDQ 192(q), to, to; \
	VPCMPGTQ te, Z30, ke; \
	VPCMPGTQ to, Z30, ko; \
	VPADDQ 256(q), te, te; \
	VPADDQ 320(q), to, to; \
	VPADDQ 384(q), te, ke, te; \
	VPADDQ 448(q), to, ko, to; \
	VPSRAVQ 512(q), te, te; \
	VPSRAVQ 576(q), to, to; \
	VPSLLQ $32, to, to; \
	VPBLENDMD to, te, K1, acc; \
	VPMAXSD 640(q), acc, acc; \
	VPMINSD 704(q), acc, acc; \
	VPADDD 768(q), acc, acc

// func gemmRQVNNI8(rows *[8]uintptr, k4 int, w *int8, rq *int32, init *int32, out *byte, ostride, nrows, n int, signed bool)
TEXT ·gemmRQVNNI8(SB), NOSPLIT, $0-73
	MOVQ rows+0(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), SI
	MOVQ 56(AX), DX
	MOVQ k4+8(FP), CX
	MOVQ w+16(FP), DI
	MOVQ rq+24(FP), AX
	VMOVDQU32 (AX), Z28
	VMOVDQU32 832(AX), Z29
	MOVQ init+32(FP), AX
	VPADDD.BCST 0(AX), Z28, Z0
	VPADDD.BCST 0(AX), Z29, Z1
	VPADDD.BCST 4(AX), Z28, Z2
	VPADDD.BCST 4(AX), Z29, Z3
	VPADDD.BCST 8(AX), Z28, Z4
	VPADDD.BCST 8(AX), Z29, Z5
	VPADDD.BCST 12(AX), Z28, Z6
	VPADDD.BCST 12(AX), Z29, Z7
	VPADDD.BCST 16(AX), Z28, Z8
	VPADDD.BCST 16(AX), Z29, Z9
	VPADDD.BCST 20(AX), Z28, Z10
	VPADDD.BCST 20(AX), Z29, Z11
	VPADDD.BCST 24(AX), Z28, Z12
	VPADDD.BCST 24(AX), Z29, Z13
	VPADDD.BCST 28(AX), Z28, Z14
	VPADDD.BCST 28(AX), Z29, Z15
	XORQ BX, BX
	TESTQ CX, CX
	JZ epilogue
	MOVQ n+64(FP), AX
	CMPB signed+72(FP), $0
	JNE signedx
	CMPQ AX, $16
	JLE halfloop

fullloop:
	VMOVDQU64 (DI), Z16
	VMOVDQU64 64(DI), Z17
	VPBROADCASTD (R8)(BX*1), Z18
	VPBROADCASTD (R9)(BX*1), Z19
	VPBROADCASTD (R10)(BX*1), Z20
	VPBROADCASTD (R11)(BX*1), Z21
	VPBROADCASTD (R12)(BX*1), Z22
	VPBROADCASTD (R13)(BX*1), Z23
	VPBROADCASTD (SI)(BX*1), Z24
	VPBROADCASTD (DX)(BX*1), Z25
	VPDPBUSD Z16, Z18, Z0
	VPDPBUSD Z17, Z18, Z1
	VPDPBUSD Z16, Z19, Z2
	VPDPBUSD Z17, Z19, Z3
	VPDPBUSD Z16, Z20, Z4
	VPDPBUSD Z17, Z20, Z5
	VPDPBUSD Z16, Z21, Z6
	VPDPBUSD Z17, Z21, Z7
	VPDPBUSD Z16, Z22, Z8
	VPDPBUSD Z17, Z22, Z9
	VPDPBUSD Z16, Z23, Z10
	VPDPBUSD Z17, Z23, Z11
	VPDPBUSD Z16, Z24, Z12
	VPDPBUSD Z17, Z24, Z13
	VPDPBUSD Z16, Z25, Z14
	VPDPBUSD Z17, Z25, Z15
	ADDQ $128, DI
	ADDQ $4, BX
	DECQ CX
	JNZ fullloop
	JMP epilogue

halfloop:
	VMOVDQU64 (DI), Z16
	VPBROADCASTD (R8)(BX*1), Z18
	VPBROADCASTD (R9)(BX*1), Z19
	VPBROADCASTD (R10)(BX*1), Z20
	VPBROADCASTD (R11)(BX*1), Z21
	VPBROADCASTD (R12)(BX*1), Z22
	VPBROADCASTD (R13)(BX*1), Z23
	VPBROADCASTD (SI)(BX*1), Z24
	VPBROADCASTD (DX)(BX*1), Z25
	VPDPBUSD Z16, Z18, Z0
	VPDPBUSD Z16, Z19, Z2
	VPDPBUSD Z16, Z20, Z4
	VPDPBUSD Z16, Z21, Z6
	VPDPBUSD Z16, Z22, Z8
	VPDPBUSD Z16, Z23, Z10
	VPDPBUSD Z16, Z24, Z12
	VPDPBUSD Z16, Z25, Z14
	ADDQ $128, DI
	ADDQ $4, BX
	DECQ CX
	JNZ halfloop
	JMP epilogue

	// Signed input bytes (the broadcast operand, read from the rows as
	// they are) times unsigned weight bytes.
signedx:
	CMPQ AX, $16
	JLE shalfloop

sfullloop:
	VMOVDQU64 (DI), Z16
	VMOVDQU64 64(DI), Z17
	VPDPBUSD.BCST (R8)(BX*1), Z16, Z0
	VPDPBUSD.BCST (R8)(BX*1), Z17, Z1
	VPDPBUSD.BCST (R9)(BX*1), Z16, Z2
	VPDPBUSD.BCST (R9)(BX*1), Z17, Z3
	VPDPBUSD.BCST (R10)(BX*1), Z16, Z4
	VPDPBUSD.BCST (R10)(BX*1), Z17, Z5
	VPDPBUSD.BCST (R11)(BX*1), Z16, Z6
	VPDPBUSD.BCST (R11)(BX*1), Z17, Z7
	VPDPBUSD.BCST (R12)(BX*1), Z16, Z8
	VPDPBUSD.BCST (R12)(BX*1), Z17, Z9
	VPDPBUSD.BCST (R13)(BX*1), Z16, Z10
	VPDPBUSD.BCST (R13)(BX*1), Z17, Z11
	VPDPBUSD.BCST (SI)(BX*1), Z16, Z12
	VPDPBUSD.BCST (SI)(BX*1), Z17, Z13
	VPDPBUSD.BCST (DX)(BX*1), Z16, Z14
	VPDPBUSD.BCST (DX)(BX*1), Z17, Z15
	ADDQ $128, DI
	ADDQ $4, BX
	DECQ CX
	JNZ sfullloop
	JMP epilogue

shalfloop:
	VMOVDQU64 (DI), Z16
	VPDPBUSD.BCST (R8)(BX*1), Z16, Z0
	VPDPBUSD.BCST (R9)(BX*1), Z16, Z2
	VPDPBUSD.BCST (R10)(BX*1), Z16, Z4
	VPDPBUSD.BCST (R11)(BX*1), Z16, Z6
	VPDPBUSD.BCST (R12)(BX*1), Z16, Z8
	VPDPBUSD.BCST (R13)(BX*1), Z16, Z10
	VPDPBUSD.BCST (SI)(BX*1), Z16, Z12
	VPDPBUSD.BCST (DX)(BX*1), Z16, Z14
	ADDQ $128, DI
	ADDQ $4, BX
	DECQ CX
	JNZ shalfloop

epilogue:
	MOVQ rq+24(FP), DX
	LEAQ 832(DX), AX
	MOVQ out+40(FP), R12
	MOVQ ostride+48(FP), R13
	MOVQ nrows+56(FP), R8
	MOVQ n+64(FP), R9
	// K4: the valid channels among 0-15, K5 among 16-31.
	MOVQ R9, CX
	CMPQ CX, $16
	JLE mask0
	MOVQ $16, CX

mask0:
	MOVL $1, R10
	SHLL CX, R10
	DECL R10
	KMOVW R10, K4
	MOVQ R9, CX
	SUBQ $16, CX
	JGE mask1
	XORQ CX, CX

mask1:
	MOVL $1, R10
	SHLL CX, R10
	DECL R10
	KMOVW R10, K5
	MOVQ $-1073741824, R10
	VPBROADCASTQ R10, Z30
	MOVL $0xaaaa, R10
	KMOVW R10, K1
	CMPQ R9, $16
	JLE halfepi

	RQ(Z0, DX, Z16, Z17, K2, K3)
	RQ(Z1, AX, Z18, Z19, K6, K7)
	VPMOVDB Z0, X0
	VMOVDQU8 X0, K4, (R12)
	VPMOVDB Z1, X1
	VMOVDQU8 X1, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z2, DX, Z16, Z17, K2, K3)
	RQ(Z3, AX, Z18, Z19, K6, K7)
	VPMOVDB Z2, X2
	VMOVDQU8 X2, K4, (R12)
	VPMOVDB Z3, X3
	VMOVDQU8 X3, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z4, DX, Z16, Z17, K2, K3)
	RQ(Z5, AX, Z18, Z19, K6, K7)
	VPMOVDB Z4, X4
	VMOVDQU8 X4, K4, (R12)
	VPMOVDB Z5, X5
	VMOVDQU8 X5, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z6, DX, Z16, Z17, K2, K3)
	RQ(Z7, AX, Z18, Z19, K6, K7)
	VPMOVDB Z6, X6
	VMOVDQU8 X6, K4, (R12)
	VPMOVDB Z7, X7
	VMOVDQU8 X7, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z8, DX, Z16, Z17, K2, K3)
	RQ(Z9, AX, Z18, Z19, K6, K7)
	VPMOVDB Z8, X8
	VMOVDQU8 X8, K4, (R12)
	VPMOVDB Z9, X9
	VMOVDQU8 X9, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z10, DX, Z16, Z17, K2, K3)
	RQ(Z11, AX, Z18, Z19, K6, K7)
	VPMOVDB Z10, X10
	VMOVDQU8 X10, K4, (R12)
	VPMOVDB Z11, X11
	VMOVDQU8 X11, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z12, DX, Z16, Z17, K2, K3)
	RQ(Z13, AX, Z18, Z19, K6, K7)
	VPMOVDB Z12, X12
	VMOVDQU8 X12, K4, (R12)
	VPMOVDB Z13, X13
	VMOVDQU8 X13, K5, 16(R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z14, DX, Z16, Z17, K2, K3)
	RQ(Z15, AX, Z18, Z19, K6, K7)
	VPMOVDB Z14, X14
	VMOVDQU8 X14, K4, (R12)
	VPMOVDB Z15, X15
	VMOVDQU8 X15, K5, 16(R12)
	JMP done

halfepi:
	RQ(Z0, DX, Z16, Z17, K2, K3)
	VPMOVDB Z0, X0
	VMOVDQU8 X0, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z2, DX, Z16, Z17, K2, K3)
	VPMOVDB Z2, X2
	VMOVDQU8 X2, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z4, DX, Z16, Z17, K2, K3)
	VPMOVDB Z4, X4
	VMOVDQU8 X4, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z6, DX, Z16, Z17, K2, K3)
	VPMOVDB Z6, X6
	VMOVDQU8 X6, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z8, DX, Z16, Z17, K2, K3)
	VPMOVDB Z8, X8
	VMOVDQU8 X8, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z10, DX, Z16, Z17, K2, K3)
	VPMOVDB Z10, X10
	VMOVDQU8 X10, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z12, DX, Z16, Z17, K2, K3)
	VPMOVDB Z12, X12
	VMOVDQU8 X12, K4, (R12)
	DECQ R8
	JZ done
	ADDQ R13, R12
	RQ(Z14, DX, Z16, Z17, K2, K3)
	VPMOVDB Z14, X14
	VMOVDQU8 X14, K4, (R12)

done:
	VZEROUPPER
	RET

// func sumU8AVX2(src *byte, n int) int
// Returns Σ src[i] for i < n (a multiple of 8).
TEXT ·sumU8AVX2(SB), NOSPLIT, $0-24
	MOVQ src+0(FP), SI
	MOVQ n+8(FP), CX
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	MOVQ CX, DX
	SHRQ $5, CX
	JZ sum16

sumloop:
	VPSADBW (SI), Y3, Y0
	VPADDQ Y0, Y2, Y2
	ADDQ $32, SI
	DECQ CX
	JNZ sumloop

sum16:
	TESTQ $16, DX
	JZ sum8
	VPSADBW (SI), X3, X0
	VPADDQ Y0, Y2, Y2
	ADDQ $16, SI

sum8:
	TESTQ $8, DX
	JZ sumdone
	VMOVQ (SI), X0
	VPSADBW X3, X0, X0
	VPADDQ Y0, Y2, Y2

sumdone:
	VEXTRACTI128 $1, Y2, X0
	VPADDQ X0, X2, X2
	VPSHUFD $0x4e, X2, X0
	VPADDQ X0, X2, X2
	MOVQ X2, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

// func rowSums8VNNI(rows *[8]uintptr, k int, xor uint8, sums *[8]int64)
// sums[p] = Σ of the bytes XOR xor of the k bytes at rows[p] and of the
// 64 − k%64 zero bytes after them: the last (partial or empty) 64-byte
// chunk of each row is read with a zeroing byte mask, so no byte past k is
// touched, and its masked-out bytes count as xor.
TEXT ·rowSums8VNNI(SB), NOSPLIT, $0-32
	MOVQ rows+0(FP), SI
	MOVQ k+8(FP), DX
	MOVBLZX xor+16(FP), AX
	VPBROADCASTB AX, Z4
	MOVQ sums+24(FP), DI
	MOVQ DX, CX
	ANDQ $63, CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVQ AX, K1
	VPXORQ Z3, Z3, Z3
	MOVQ $8, R9

rsrow:
	MOVQ (SI), R8
	VPXORQ Z2, Z2, Z2
	MOVQ DX, CX
	SHRQ $6, CX
	JZ rstail

rsloop:
	VPXORQ (R8), Z4, Z0
	VPSADBW Z3, Z0, Z0
	VPADDQ Z0, Z2, Z2
	ADDQ $64, R8
	DECQ CX
	JNZ rsloop

rstail:
	VMOVDQU8.Z (R8), K1, Z0
	VPXORQ Z4, Z0, Z0
	VPSADBW Z3, Z0, Z0
	VPADDQ Z0, Z2, Z2
	VEXTRACTI64X4 $1, Z2, Y0
	VPADDQ Y0, Y2, Y2
	VEXTRACTI128 $1, Y2, X0
	VPADDQ X0, X2, X2
	VPSHUFD $0x4e, X2, X0
	VPADDQ X0, X2, X2
	VMOVQ X2, (DI)
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ R9
	JNZ rsrow
	VZEROUPPER
	RET
