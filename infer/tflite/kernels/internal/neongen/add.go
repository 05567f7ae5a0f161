package main

import (
	"fmt"
	"log"
	"os"
)

// saddw encodes SADDW{2} <Vd>.4S, <Vn>.4S, <Vm>.{4,8}H ("three registers
// of different types", size 01, opcode 0001):
// 0 Q 0 01110 01 1 Rm 0001 00 Rn Rd. upper selects the high halfwords.
func saddw(upper bool, d, n, m uint32) (uint32, string) {
	if d > 31 || n > 31 || m > 31 {
		log.Fatalf("saddw: bad operands v%d v%d v%d", d, n, m)
	}
	w := uint32(0x0e601000) | m<<16 | n<<5 | d
	if upper {
		return w | 1<<30, fmt.Sprintf("saddw2 v%d.4s, v%d.4s, v%d.8h", d, n, m)
	}
	return w, fmt.Sprintf("saddw v%d.4s, v%d.4s, v%d.4h", d, n, m)
}

// addStage emits TFLite's MultiplyByQuantizedMultiplier (multiplier > 0)
// on the four vectors v…v+3 with the stage's parameters at V5+4s (left
// shift), V6+4s (multiplier), V7+4s (−1 where there is a right shift,
// else 0) and V8+4s (−right), using tmp…tmp+3 as scratch: SSHL (wraps
// like the Go int32 shift), SQRDMULH ((x·m + 2^30) >> 31 exactly, as m >
// 0), −1 for a negative value when shifting right (AND, SSHR #31, ADD;
// the value is > −2^31), then SRSHL by −right, which adds 2^(right−1)
// without overflow and shifts: ties away from zero, as RoundingDivideByPOT.
func (g *gen) addStage(s, v uint32, tmp [4]uint32) {
	left, m, fix, right := 5+4*s, 6+4*s, 7+4*s, 8+4*s
	for i := uint32(0); i < 4; i++ {
		g.word(three("sshl", v+i, v+i, left))
	}
	for i := uint32(0); i < 4; i++ {
		g.word(three("sqrdmulh", v+i, v+i, m))
	}
	for i := uint32(0); i < 4; i++ {
		g.p("\tVAND V%d.B16, V%d.B16, V%d.B16", fix, v+i, tmp[i])
	}
	for i := uint32(0); i < 4; i++ {
		g.word(sshr31(tmp[i], tmp[i]))
	}
	for i := uint32(0); i < 4; i++ {
		g.p("\tVADD V%d.S4, V%d.S4, V%d.S4", tmp[i], v+i, v+i)
	}
	for i := uint32(0); i < 4; i++ {
		g.word(three("srshl", v+i, v+i, right))
	}
}

// addWiden emits the widening of the 16 bytes in V(src) (UXTL or SXTL to
// halfwords in V19+2k, V20+2k) and SADDW{2} of the input offset V(off),
// giving x + offset as 4 vectors of int32 in dst…dst+3.
func (g *gen) addWiden(signed bool, src, k, off, dst uint32) {
	lo, hi := 19+2*k, 20+2*k
	if signed {
		g.word(sxtl(false, lo, src))
		g.word(sxtl(true, hi, src))
	} else {
		g.p("\tVUXTL V%d.B8, V%d.H8", src, lo)
		g.p("\tVUXTL2 V%d.B16, V%d.H8", src, hi)
	}
	g.word(saddw(false, dst, off, lo))
	g.word(saddw(true, dst+1, off, lo))
	g.word(saddw(false, dst+2, off, hi))
	g.word(saddw(true, dst+3, off, hi))
}

// addKernel emits addQuant{U8,I8}NEON.
func (g *gen) addKernel(signed bool) {
	name, l := "addQuantU8NEON", "u8"
	if signed {
		name, l = "addQuantI8NEON", "i8"
	}
	g.p("// func %s(x, y, out *byte, n int, p *int32)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-40", name)
	g.p("\tMOVD x+0(FP), R0")
	g.p("\tMOVD y+8(FP), R1")
	g.p("\tMOVD out+16(FP), R2")
	g.p("\tMOVD n+24(FP), R3")
	g.p("\tMOVD p+32(FP), R4")
	g.p("\tVLD1.P 64(R4), [V0.S4, V1.S4, V2.S4, V3.S4]     // o1, o2, oo, lo")
	g.p("\tVLD1.P 64(R4), [V4.S4, V5.S4, V6.S4, V7.S4]     // hi, stage 0")
	g.p("\tVLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4]   // stage 1")
	g.p("\tVLD1.P 64(R4), [V12.S4, V13.S4, V14.S4, V15.S4] // stage 2")
	g.p("\tVLD1 (R4), [V16.S4]")
	g.p("\tCBZ R3, add%sdone", l)
	g.p("")
	g.p("add%sloop:", l)
	g.p("\tVLD1.P 16(R0), [V17.B16]")
	g.p("\tVLD1.P 16(R1), [V18.B16]")
	g.addWiden(signed, 17, 0, 0, 23)
	g.addWiden(signed, 18, 1, 1, 27)
	g.addStage(0, 23, [4]uint32{17, 19, 20, 31})
	g.addStage(1, 27, [4]uint32{18, 21, 22, 31})
	for i := 0; i < 4; i++ {
		g.p("\tVADD V%d.S4, V%d.S4, V%d.S4", 27+i, 23+i, 23+i)
	}
	g.addStage(2, 23, [4]uint32{17, 18, 19, 20})
	for i := 0; i < 4; i++ {
		g.p("\tVADD V2.S4, V%d.S4, V%d.S4", 23+i, 23+i)
	}
	for i := uint32(0); i < 4; i++ {
		g.word(three("smax", 23+i, 23+i, 3))
	}
	for i := uint32(0); i < 4; i++ {
		g.word(three("smin", 23+i, 23+i, 4))
	}
	g.p("\tVUZP1 V24.H8, V23.H8, V27.H8")
	g.p("\tVUZP1 V26.H8, V25.H8, V28.H8")
	g.p("\tVUZP1 V28.B16, V27.B16, V29.B16")
	g.p("\tVST1.P [V29.B16], 16(R2)")
	g.p("\tSUBS $16, R3, R3")
	g.p("\tBNE add%sloop", l)
	g.p("")
	g.p("add%sdone:", l)
	g.p("\tRET")
}

// writeAdd writes the quantized ADD kernels to out.
func writeAdd(out string) {
	g := header()
	g.p("// Quantized ADD of the arm64 paths (see add_neon.go): 16 elements per")
	g.p("// iteration, each input widened to int32 with its offset added")
	g.p("// (UXTL/SXTL, SADDW{2}), TFLite's three MultiplyByQuantizedMultiplier")
	g.p("// steps (input 1, input 2, their sum) in NEON, the output offset, the")
	g.p("// clamp and the narrowing to bytes (UZP1). The parameters p are 17")
	g.p("// vectors of 4 int32: o1, o2, oo, lo, hi, then per stage left shift,")
	g.p("// multiplier, −1 if it shifts right (else 0) and −right. 108")
	g.p("// instructions per 16 elements.")
	g.p("")
	g.addKernel(false)
	g.p("")
	g.addKernel(true)
	if err := os.WriteFile(out, g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
