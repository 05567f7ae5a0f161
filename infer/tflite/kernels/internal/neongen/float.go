package main

import (
	"fmt"
	"log"
)

// fmulElem encodes FMUL <Vd>.4S, <Vn>.4S, <Vm>.S[idx] (by element,
// single precision): 0 1 0 01111 1 0 L M Rm 1001 H 0 Rn Rd with idx =
// H:L and Vm = M:Rm. The product is rounded to float32: it is not fused
// with the FADD that follows.
func fmulElem(d, n, m, idx uint32) (uint32, string) {
	if m > 31 || idx > 3 || d > 31 || n > 31 {
		log.Fatalf("fmul: bad operands v%d v%d v%d[%d]", d, n, m, idx)
	}
	w := uint32(0x4f809000) | (idx>>1)<<11 | (idx&1)<<21 | m<<16 | n<<5 | d
	return w, fmt.Sprintf("fmul v%d.4s, v%d.4s, v%d.s[%d]", d, n, m, idx)
}

// fthree encodes a floating-point "three registers of the same type"
// instruction on .4S: 0 1 U 01110 a 0 1 Rm opcode 1 Rn Rd (sz = 0).
func fthree(name string, d, n, m uint32) (uint32, string) {
	ops := map[string]uint32{ // U<<6 | a<<5 | opcode
		"fmul": 0b1_0_11011,
		"fadd": 0b0_0_11010,
		"fmax": 0b0_0_11110,
		"fmin": 0b0_1_11110,
	}
	op, ok := ops[name]
	if !ok {
		log.Fatalf("fthree: unknown instruction %s", name)
	}
	w := uint32(0x4e200400) | (op>>6)<<29 | (op>>5&1)<<23 | (op&31)<<11 | m<<16 | n<<5 | d
	return w, fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.4s", name, d, n, m)
}

// floatTile writes gemmF32TileNEON, the float32 GEMM micro-kernel of
// the arm64 paths.
func (g *gen) floatTile() {
	g.p("// func gemmF32TileNEON(rows **float32, k int, w *float32, bias *float32, clamp *float32, out *float32, ostride uintptr, nout int)")
	g.p("// 8 pixels × 8 channels: rows[p] points to pixel p's k taps, w to the")
	g.p("// block's weights [k][8]float32 (the generic packing), bias to 8 floats,")
	g.p("// clamp to {lo, hi}. Pixel p's sums are V16+2p (channels 0–3) and")
	g.p("// V17+2p (channels 4–7), starting at +0; per tap t, FMUL rounds")
	g.p("// w[t]·x[p][t] to float32 and FADD adds it (never FMLA). Then + bias,")
	g.p("// FMAX lo, FMIN hi, and the first nout pixels' 8 floats are stored")
	g.p("// ostride bytes apart. Main loop: 4 taps per iteration in V0–V7, the")
	g.p("// weights of one tap in V8–V9, products in V10–V15: 8 + 4 loads + 64")
	g.p("// FMUL + 64 FADD + 2 = 142 instructions per 256 MACs.")
	g.p("TEXT ·gemmF32TileNEON(SB), NOSPLIT, $0-64")
	g.p("\tMOVD rows+0(FP), R9")
	for r := 0; r < 8; r++ {
		g.p("\tMOVD %d(R9), R%d", 8*r, r)
	}
	g.p("\tMOVD k+8(FP), R11")
	g.p("\tMOVD w+16(FP), R10")
	g.zeroAcc()
	g.p("\tLSR $2, R11, R12 // k/4 iterations of 4 taps")
	g.p("\tAND $3, R11, R11 // then k%%4 single taps")
	g.p("\tCBZ R12, f32tail")
	g.p("")
	g.p("f32loop:")
	for r := 0; r < 8; r++ {
		g.p("\tVLD1.P 16(R%d), [V%d.S4]", r, r)
	}
	tmp := uint32(0)
	prod := func(px, idx uint32) {
		for h := uint32(0); h < 2; h++ {
			tv := 10 + tmp%6
			tmp++
			g.word(fmulElem(tv, 8+h, px, idx))
			g.word(fthree("fadd", 16+2*px+h, 16+2*px+h, tv))
		}
	}
	for t := uint32(0); t < 4; t++ {
		g.p("\tVLD1.P 32(R10), [V8.S4, V9.S4]")
		for px := uint32(0); px < 8; px++ {
			prod(px, t)
		}
	}
	g.p("\tSUBS $1, R12, R12")
	g.p("\tBNE f32loop")
	g.p("")
	g.p("f32tail:")
	g.p("\tCBZ R11, f32done")
	for r := 0; r < 8; r++ {
		g.p("\tVLD1R.P 4(R%d), [V%d.S4]", r, r)
	}
	g.p("\tVLD1.P 32(R10), [V8.S4, V9.S4]")
	for px := uint32(0); px < 8; px++ {
		prod(px, 0)
	}
	g.p("\tSUBS $1, R11, R11")
	g.p("\tB f32tail")
	g.p("")
	g.p("f32done:")
	g.p("\tMOVD bias+24(FP), R9")
	g.p("\tVLD1 (R9), [V8.S4, V9.S4]")
	g.p("\tMOVD clamp+32(FP), R9")
	g.p("\tVLD1R.P 4(R9), [V10.S4] // lo")
	g.p("\tVLD1R (R9), [V11.S4]     // hi")
	g.p("\tMOVD out+40(FP), R0")
	g.p("\tMOVD ostride+48(FP), R1")
	g.p("\tMOVD nout+56(FP), R2")
	for px := uint32(0); px < 8; px++ {
		for h := uint32(0); h < 2; h++ {
			a := 16 + 2*px + h
			g.word(fthree("fadd", a, a, 8+h))
			g.word(fthree("fmax", a, a, 10))
			g.word(fthree("fmin", a, a, 11))
		}
	}
	for px := 0; px < 8; px++ {
		g.p("\tVST1 [V%d.S4, V%d.S4], (R0)", 16+2*px, 17+2*px)
		if px < 7 {
			g.p("\tSUBS $1, R2, R2")
			g.p("\tBEQ f32ret")
			g.p("\tADD R1, R0, R0")
		}
	}
	g.p("")
	g.p("f32ret:")
	g.p("\tRET")
}

// floatRow writes gemmF32RowNEON, the one-pixel float32 GEMM kernel
// (FULLY_CONNECTED with batch 1, and groups of few pixels).
func (g *gen) floatRow() {
	g.p("// func gemmF32RowNEON(x *float32, k int, w **float32, bias *float32, clamp *float32, out *float32, nblk int)")
	g.p("// 1 pixel × 4 blocks of 8 channels: x points to the pixel's k taps,")
	g.p("// w[b] to block b's weights [k][8]float32, bias to nblk·8 floats. Block")
	g.p("// b's sums are V16+2b and V17+2b, starting at +0; per tap FMUL rounds")
	g.p("// w·x to float32 and FADD adds it (never FMLA). Then, for the first")
	g.p("// nblk (1–4) blocks only: + bias, FMAX lo, FMIN hi, and the 8 floats")
	g.p("// are stored to out, one block after the other. Main loop: 4 taps")
	g.p("// per iteration in V0, a tap's weights in V8–V15, products in V24–V31:")
	g.p("// 1 + 16 loads + 32 FMUL + 32 FADD + 2 = 83 instructions per 128 MACs.")
	g.p("TEXT ·gemmF32RowNEON(SB), NOSPLIT, $0-56")
	g.p("\tMOVD x+0(FP), R0")
	g.p("\tMOVD k+8(FP), R11")
	g.p("\tMOVD w+16(FP), R9")
	for b := 0; b < 4; b++ {
		g.p("\tMOVD %d(R9), R%d", 8*b, b+1)
	}
	for v := 16; v < 24; v++ {
		g.p("\tVEOR V%d.B16, V%d.B16, V%d.B16", v, v, v)
	}
	g.p("\tLSR $2, R11, R12 // k/4 iterations of 4 taps")
	g.p("\tAND $3, R11, R11 // then k%%4 single taps")
	g.p("\tCBZ R12, rowtail")
	g.p("")
	g.p("rowloop:")
	g.p("\tVLD1.P 16(R0), [V0.S4]")
	tap := func(idx uint32) {
		for b := uint32(0); b < 4; b++ {
			g.p("\tVLD1.P 32(R%d), [V%d.S4, V%d.S4]", b+1, 8+2*b, 9+2*b)
		}
		for b := uint32(0); b < 4; b++ {
			for h := uint32(0); h < 2; h++ {
				g.word(fmulElem(24+2*b+h, 8+2*b+h, 0, idx))
			}
		}
		for b := uint32(0); b < 4; b++ {
			for h := uint32(0); h < 2; h++ {
				a := 16 + 2*b + h
				g.word(fthree("fadd", a, a, 24+2*b+h))
			}
		}
	}
	for t := uint32(0); t < 4; t++ {
		tap(t)
	}
	g.p("\tSUBS $1, R12, R12")
	g.p("\tBNE rowloop")
	g.p("")
	g.p("rowtail:")
	g.p("\tCBZ R11, rowdone")
	g.p("\tVLD1R.P 4(R0), [V0.S4]")
	tap(0)
	g.p("\tSUBS $1, R11, R11")
	g.p("\tB rowtail")
	g.p("")
	g.p("rowdone:")
	g.p("\tMOVD bias+24(FP), R9")
	g.p("\tMOVD clamp+32(FP), R10")
	g.p("\tVLD1R.P 4(R10), [V10.S4] // lo")
	g.p("\tVLD1R (R10), [V11.S4]     // hi")
	g.p("\tMOVD out+40(FP), R0")
	g.p("\tMOVD nblk+48(FP), R2")
	for b := uint32(0); b < 4; b++ {
		g.p("\tVLD1.P 32(R9), [V8.S4, V9.S4]")
		for h := uint32(0); h < 2; h++ {
			a := 16 + 2*b + h
			g.word(fthree("fadd", a, a, 8+h))
			g.word(fthree("fmax", a, a, 10))
			g.word(fthree("fmin", a, a, 11))
		}
		g.p("\tVST1.P [V%d.S4, V%d.S4], 32(R0)", 16+2*b, 17+2*b)
		if b < 3 {
			g.p("\tSUBS $1, R2, R2")
			g.p("\tBEQ rowret")
		}
	}
	g.p("")
	g.p("rowret:")
	g.p("\tRET")
}

// dwProd writes acc += float32(x·w) for the two vectors of 8 channels:
// FMUL (x first, as the generic code multiplies) into t, t+1, then FADD.
func (g *gen) dwProd(acc, x, w, t uint32) {
	g.word(fthree("fmul", t, x, w))
	g.word(fthree("fmul", t+1, x+1, w+1))
	g.word(fthree("fadd", acc, acc, t))
	g.word(fthree("fadd", acc+1, acc+1, t+1))
}

// dwClamp clamps the sums V22–V23 to [V20, V21].
func (g *gen) dwClamp() {
	for a := uint32(22); a < 24; a++ {
		g.word(fthree("fmax", a, a, 20))
		g.word(fthree("fmin", a, a, 21))
	}
}

// dw3x3 writes dw3x3F32NEON, the float32 depthwise 3x3 kernel for
// interior pixels.
func (g *gen) dw3x3() {
	g.p("// func dw3x3F32NEON(in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32)")
	g.p("// n output pixels of a 3x3 depthwise convolution (depth multiplier 1)")
	g.p("// whose taps all lie inside the image, as dw3x3F32AVX2 (float_amd64.s):")
	g.p("// pixel p's tap (ky, kx) of channel ch is in[p·sx + ky·dy + kx·dx + ch]")
	g.p("// (byte offsets), its weight w[(ky·3+kx)·c + ch], its output")
	g.p("// out[p·c + ch], c = 8·c8. Per 8 channels: the nine taps' weights in")
	g.p("// V0–V17, the bias in V18–V19, the sums in V22–V23 start at the bias")
	g.p("// and add FMUL(x, w) with FADD tap by tap in row-major order; then")
	g.p("// FMAX lo (V20), FMIN hi (V21). Per pixel: 9 loads + 18 FMUL + 18 FADD")
	g.p("// + 4 clamp + 2 moves + 1 store + 7 address + 2 loop = 61 instructions")
	g.p("// per 72 MACs.")
	g.p("TEXT ·dw3x3F32NEON(SB), NOSPLIT, $0-80")
	g.p("	MOVD clamp+72(FP), R12")
	g.p("	VLD1R.P 4(R12), [V20.S4]")
	g.p("	VLD1R (R12), [V21.S4]")
	g.p("	MOVD in+0(FP), R0")
	g.p("	MOVD w+8(FP), R1")
	g.p("	MOVD bias+16(FP), R2")
	g.p("	MOVD out+24(FP), R3")
	g.p("	MOVD c8+32(FP), R14")
	g.p("	MOVD dy+40(FP), R8")
	g.p("	MOVD dx+48(FP), R9")
	g.p("	MOVD sx+56(FP), R10")
	g.p("	MOVD n+64(FP), R11")
	g.p("	LSL $5, R14, R13 // c·4 bytes: the weight tap stride and the output pixel stride")
	g.p("")
	g.p("dwchunk:")
	g.p("	MOVD R1, R12")
	for t := 0; t < 9; t++ {
		g.p("	VLD1 (R12), [V%d.S4, V%d.S4]", 2*t, 2*t+1)
		if t < 8 {
			g.p("	ADD R13, R12, R12")
		}
	}
	g.p("	VLD1 (R2), [V18.S4, V19.S4]")
	g.p("	MOVD R0, R6 // the pixel's first tap")
	g.p("	MOVD R3, R5")
	g.p("	MOVD R11, R7")
	g.p("")
	g.p("dwpixel:")
	g.p("	VMOV V18.B16, V22.B16")
	g.p("	VMOV V19.B16, V23.B16")
	g.p("	MOVD R6, R15")
	for ky := 0; ky < 3; ky++ {
		g.p("	MOVD R15, R4")
		for kx := 0; kx < 3; kx++ {
			x := uint32(24 + 2*(kx%2))
			g.p("	VLD1.P (R4)(R9), [V%d.S4, V%d.S4]", x, x+1)
			g.dwProd(22, x, uint32(2*(ky*3+kx)), 28)
		}
		if ky < 2 {
			g.p("	ADD R8, R15, R15")
		}
	}
	g.dwClamp()
	g.p("	VST1.P [V22.S4, V23.S4], (R5)(R13)")
	g.p("	ADD R10, R6, R6")
	g.p("	SUBS $1, R7, R7")
	g.p("	BNE dwpixel")
	g.p("	ADD $32, R0, R0")
	g.p("	ADD $32, R1, R1")
	g.p("	ADD $32, R2, R2")
	g.p("	ADD $32, R3, R3")
	g.p("	SUBS $1, R14, R14")
	g.p("	BNE dwchunk")
	g.p("	RET")
}

// dwTapsF32 writes dwTapsF32NEON, one depthwise output pixel from a list of
// taps (the border pixels).
func (g *gen) dwTapsF32() {
	g.p("// func dwTapsF32NEON(in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32)")
	g.p("// One depthwise output pixel of c = 8·c8 channels from ntaps taps (in[t]")
	g.p("// and w[t] point to tap t's c inputs and weights), as dwTapsF32AVX2: per")
	g.p("// 8 channels the sums start at the bias and add FMUL(x, w) with FADD in")
	g.p("// list order, then FMAX lo, FMIN hi.")
	g.p("TEXT ·dwTapsF32NEON(SB), NOSPLIT, $0-56")
	g.p("	MOVD clamp+48(FP), R12")
	g.p("	VLD1R.P 4(R12), [V20.S4]")
	g.p("	VLD1R (R12), [V21.S4]")
	g.p("	MOVD in+0(FP), R0")
	g.p("	MOVD w+8(FP), R1")
	g.p("	MOVD ntaps+16(FP), R2")
	g.p("	MOVD bias+24(FP), R3")
	g.p("	MOVD out+32(FP), R5")
	g.p("	MOVD c8+40(FP), R4")
	g.p("	MOVD ZR, R6 // byte offset of the chunk of 8 channels")
	g.p("")
	g.p("tapchunk:")
	g.p("	VLD1.P 32(R3), [V22.S4, V23.S4]")
	g.p("	MOVD R0, R7")
	g.p("	MOVD R1, R8")
	g.p("	MOVD R2, R9")
	g.p("	CBZ R9, tapclamp")
	g.p("")
	g.p("taploop:")
	g.p("	MOVD.P 8(R7), R10")
	g.p("	MOVD.P 8(R8), R11")
	g.p("	ADD R6, R10, R10")
	g.p("	ADD R6, R11, R11")
	g.p("	VLD1 (R10), [V24.S4, V25.S4]")
	g.p("	VLD1 (R11), [V26.S4, V27.S4]")
	g.dwProd(22, 24, 26, 28)
	g.p("	SUBS $1, R9, R9")
	g.p("	BNE taploop")
	g.p("")
	g.p("tapclamp:")
	g.dwClamp()
	g.p("	VST1.P [V22.S4, V23.S4], 32(R5)")
	g.p("	ADD $32, R6, R6")
	g.p("	SUBS $1, R4, R4")
	g.p("	BNE tapchunk")
	g.p("	RET")
}

// floatFile returns float_neon_arm64.s.
func floatFile() []byte {
	g := header()
	g.p("// The float32 micro-kernels of the arm64 paths (float_neon.go): the")
	g.p("// conv/FC tile and row kernels and the depthwise 3x3 kernels.")
	g.p("// Go's assembler lacks the vector FMUL, FADD, FMAX and FMIN: they are")
	g.p("// WORDs with the instruction as comment, checked by")
	g.p("// TestNEONFloatEncodings.")
	g.p("")
	g.floatTile()
	g.p("")
	g.floatRow()
	g.p("")
	g.dw3x3()
	g.p("")
	g.dwTapsF32()
	return g.Bytes()
}
