// Command neongen writes gemm_neon_arm64.s, the arm64 micro-kernels of the
// NEON and dotprod kernel paths (package kernels), and with -kernels
// depthwise or add depthwise_neon_arm64.s or add_neon_arm64.s. Go's arm64 assembler
// has no SMLAL, SDOT, SXTL or SADALP, so those are emitted as WORD
// directives, each with the instruction in Arm syntax as its comment;
// kernels' TestNEONEncodings decodes every WORD independently (and, where
// llvm-mc is installed, assembles the comment) to check them.
//
// Run it with go generate in infer/tflite/kernels.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// smlal encodes SMLAL{2} <Vd>.4S, <Vn>.{4,8}H, <Vm>.H[idx] (by element,
// 16-bit): 0 Q 0 01111 01 L M Rm 0010 H 0 Rn Rd with idx = H:L:M and Vm
// in V0–V15. upper selects SMLAL2 (Q = 1, the high four halfwords of Vn).
func smlal(upper bool, d, n, m, idx uint32) (uint32, string) {
	if m > 15 || idx > 7 || d > 31 || n > 31 {
		log.Fatalf("smlal: bad operands v%d v%d v%d[%d]", d, n, m, idx)
	}
	w := uint32(0x0f402000) | (idx>>2)<<11 | (idx>>1&1)<<21 | (idx&1)<<20 | m<<16 | n<<5 | d
	if upper {
		return w | 1<<30, fmt.Sprintf("smlal2 v%d.4s, v%d.8h, v%d.h[%d]", d, n, m, idx)
	}
	return w, fmt.Sprintf("smlal v%d.4s, v%d.4h, v%d.h[%d]", d, n, m, idx)
}

// sdot encodes SDOT <Vd>.4S, <Vn>.16B, <Vm>.4B[idx] (by element):
// 0 1 0 01111 10 L M Rm 1110 H 0 Rn Rd with idx = H:L and Vm = M:Rm.
func sdot(d, n, m, idx uint32) (uint32, string) {
	if m > 31 || idx > 3 || d > 31 || n > 31 {
		log.Fatalf("sdot: bad operands v%d v%d v%d[%d]", d, n, m, idx)
	}
	w := uint32(0x4f80e000) | (idx>>1)<<11 | (idx&1)<<21 | m<<16 | n<<5 | d
	return w, fmt.Sprintf("sdot v%d.4s, v%d.16b, v%d.4b[%d]", d, n, m, idx)
}

// sxtl encodes SXTL{2} <Vd>.8H, <Vn>.{8,16}B, the alias of SSHLL{2} with
// shift 0: 0 Q 0 011110 0001 000 10100 1 Rn Rd.
func sxtl(upper bool, d, n uint32) (uint32, string) {
	w := uint32(0x0f08a400) | n<<5 | d
	if upper {
		return w | 1<<30, fmt.Sprintf("sxtl2 v%d.8h, v%d.16b", d, n)
	}
	return w, fmt.Sprintf("sxtl v%d.8h, v%d.8b", d, n)
}

// saddlp encodes SADDLP <Vd>.8H, <Vn>.16B: 0 1 0 01110 00 10000 00010 10 Rn Rd.
func saddlp(d, n uint32) (uint32, string) {
	return 0x4e202800 | n<<5 | d, fmt.Sprintf("saddlp v%d.8h, v%d.16b", d, n)
}

// sadalp encodes SADALP <Vd>.4S, <Vn>.8H: 0 1 0 01110 01 10000 00110 10 Rn Rd.
func sadalp(d, n uint32) (uint32, string) {
	return 0x4e606800 | n<<5 | d, fmt.Sprintf("sadalp v%d.4s, v%d.8h", d, n)
}

// three encodes a "three registers of the same type" instruction on .4S:
// 0 1 U 01110 10 1 Rm opcode 1 Rn Rd.
func three(name string, d, n, m uint32) (uint32, string) {
	ops := map[string]uint32{ // U<<5 | opcode
		"sqadd":    0b000001,
		"sshl":     0b001000,
		"srshl":    0b001010,
		"smax":     0b001100,
		"smin":     0b001101,
		"sqrdmulh": 1<<5 | 0b10110,
	}
	op, ok := ops[name]
	if !ok {
		log.Fatalf("three: unknown instruction %s", name)
	}
	w := uint32(0x4ea00400) | (op>>5)<<29 | (op&31)<<11 | m<<16 | n<<5 | d
	return w, fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.4s", name, d, n, m)
}

// sshr31 encodes SSHR <Vd>.4S, <Vn>.4S, #31: 0 1 0 011110 immh:immb 00000 1
// Rn Rd with immh:immb = 64 − 31 = 0100001.
func sshr31(d, n uint32) (uint32, string) {
	return 0x4f210400 | n<<5 | d, fmt.Sprintf("sshr v%d.4s, v%d.4s, #31", d, n)
}

type gen struct{ bytes.Buffer }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.Buffer, format+"\n", args...) }

func (g *gen) word(w uint32, asm string) { g.p("\tWORD $0x%08x // %s", w, asm) }

// rows loads the tile's 8 row pointers R0–R7 from x and stride.
func (g *gen) rows() {
	g.p("\tMOVD x+0(FP), R0")
	g.p("\tMOVD stride+8(FP), R9")
	for r := 1; r < 8; r++ {
		g.p("\tADD R9, R%d, R%d", r-1, r)
	}
}

// zeroAcc clears the accumulators V16–V31.
func (g *gen) zeroAcc() {
	for v := 16; v < 32; v++ {
		g.p("\tVEOR V%d.B16, V%d.B16, V%d.B16", v, v, v)
	}
}

// storeAcc writes V16–V31 (pixel p's channels 0–3 in V16+2p, 4–7 in
// V17+2p) to acc.
func (g *gen) storeAcc() {
	g.p("\tMOVD acc+32(FP), R12")
	for v := 16; v < 32; v += 4 {
		g.p("\tVST1.P [V%d.S4, V%d.S4, V%d.S4, V%d.S4], 64(R12)", v, v+1, v+2, v+3)
	}
	g.p("\tRET")
}

func (g *gen) neonTile() {
	g.p("// func gemmTileNEON(x *int16, stride uintptr, w *int16, k8 int, acc *int32)")
	g.p("// 8 pixels × 8 channels, 8 taps per iteration: V0–V7 hold 8 taps of")
	g.p("// each pixel, V8–V15 the 8 channels' weights of each tap; pixel p's sums")
	g.p("// are V16+2p (channels 0–3, SMLAL on the low halfwords) and V17+2p")
	g.p("// (channels 4–7, SMLAL2). 128 SMLAL{2} + 10 loads + 2 = 140 instructions")
	g.p("// per 512 MACs.")
	g.p("TEXT ·gemmTileNEON(SB), NOSPLIT, $0-40")
	g.rows()
	g.p("\tMOVD w+16(FP), R10")
	g.p("\tMOVD k8+24(FP), R11")
	g.zeroAcc()
	g.p("\tCBZ R11, neondone")
	g.p("")
	g.p("neonloop:")
	g.p("\tVLD1.P 64(R10), [V8.H8, V9.H8, V10.H8, V11.H8]")
	g.p("\tVLD1.P 64(R10), [V12.H8, V13.H8, V14.H8, V15.H8]")
	for r := 0; r < 8; r++ {
		g.p("\tVLD1.P 16(R%d), [V%d.H8]", r, r)
	}
	for t := uint32(0); t < 8; t++ {
		for px := uint32(0); px < 8; px++ {
			g.word(smlal(false, 16+2*px, 8+t, px, t))
			g.word(smlal(true, 17+2*px, 8+t, px, t))
		}
	}
	g.p("\tSUBS $1, R11, R11")
	g.p("\tBNE neonloop")
	g.p("")
	g.p("neondone:")
	g.storeAcc()
}

func (g *gen) dotTile() {
	g.p("// func gemmTileDot(x *byte, stride uintptr, w *int8, k16 int, acc *int32)")
	g.p("// 8 pixels × 8 channels, 16 taps per iteration: V0–V7 hold 16 bytes of")
	g.p("// each pixel (four groups of 4 taps), V8+2g and V9+2g the weights of")
	g.p("// group g for channels 0–3 and 4–7; SDOT adds four exact s8·s8 products")
	g.p("// per lane without saturation. 64 SDOT + 10 loads + 2 = 76 instructions")
	g.p("// per 1024 MACs.")
	g.p("TEXT ·gemmTileDot(SB), NOSPLIT, $0-40")
	g.rows()
	g.p("\tMOVD w+16(FP), R10")
	g.p("\tMOVD k16+24(FP), R11")
	g.zeroAcc()
	g.p("\tCBZ R11, dotdone")
	g.p("")
	g.p("dotloop:")
	g.p("\tVLD1.P 64(R10), [V8.B16, V9.B16, V10.B16, V11.B16]")
	g.p("\tVLD1.P 64(R10), [V12.B16, V13.B16, V14.B16, V15.B16]")
	for r := 0; r < 8; r++ {
		g.p("\tVLD1.P 16(R%d), [V%d.B16]", r, r)
	}
	for grp := uint32(0); grp < 4; grp++ {
		for px := uint32(0); px < 8; px++ {
			g.word(sdot(16+2*px, 8+2*grp, px, grp))
			g.word(sdot(17+2*px, 9+2*grp, px, grp))
		}
	}
	g.p("\tSUBS $1, R11, R11")
	g.p("\tBNE dotloop")
	g.p("")
	g.p("dotdone:")
	g.storeAcc()
}

func (g *gen) widen() {
	g.p("// func widenNEON(dst *int16, src *int8, n int, flip uint8)")
	g.p("// dst[i] = int16(int8(src[i] ^ flip)) for i < n (a multiple of 16).")
	g.p("TEXT ·widenNEON(SB), NOSPLIT, $0-25")
	g.p("\tMOVD dst+0(FP), R0")
	g.p("\tMOVD src+8(FP), R1")
	g.p("\tMOVD n+16(FP), R2")
	g.p("\tMOVBU flip+24(FP), R3")
	g.p("\tVDUP R3, V4.B16")
	g.p("\tCBZ R2, widendone")
	g.p("")
	g.p("widenloop:")
	g.p("\tVLD1.P 16(R1), [V0.B16]")
	g.p("\tVEOR V4.B16, V0.B16, V0.B16")
	g.word(sxtl(false, 1, 0))
	g.word(sxtl(true, 2, 0))
	g.p("\tVST1.P [V1.H8, V2.H8], 32(R0)")
	g.p("\tSUBS $16, R2, R2")
	g.p("\tBNE widenloop")
	g.p("")
	g.p("widendone:")
	g.p("\tRET")
}

func (g *gen) prep() {
	g.p("// func prepS8NEON(dst, src *byte, n int, xor uint8) int")
	g.p("// dst[i] = src[i] ^ xor for i < n (a multiple of 16); returns Σ int8(dst[i])")
	g.p("// (pairwise widening sums into four int32 lanes, then across them).")
	g.p("TEXT ·prepS8NEON(SB), NOSPLIT, $0-40")
	g.p("\tMOVD dst+0(FP), R0")
	g.p("\tMOVD src+8(FP), R1")
	g.p("\tMOVD n+16(FP), R2")
	g.p("\tMOVBU xor+24(FP), R3")
	g.p("\tVDUP R3, V2.B16")
	g.p("\tVEOR V4.B16, V4.B16, V4.B16")
	g.p("\tCBZ R2, prepdone")
	g.p("")
	g.p("preploop:")
	g.p("\tVLD1.P 16(R1), [V0.B16]")
	g.p("\tVEOR V2.B16, V0.B16, V0.B16")
	g.p("\tVST1.P [V0.B16], 16(R0)")
	g.word(saddlp(1, 0))
	g.word(sadalp(4, 1))
	g.p("\tSUBS $16, R2, R2")
	g.p("\tBNE preploop")
	g.p("")
	g.p("prepdone:")
	g.p("\tVADDV V4.S4, V5")
	g.p("\tVMOV V5.S[0], R4")
	g.p("\tMOVW R4, R4 // sign-extend the 32-bit sum")
	g.p("\tMOVD R4, ret+32(FP)")
	g.p("\tRET")
}

func (g *gen) requant() {
	g.p("// func requantTileNEON(sums *int32, q *int32, init *int32, out *byte, rows, ostride int)")
	g.p("// Requantizes rows × 8 sums ([rows][8]int32) with one 8-lane group of")
	g.p("// packRequant parameters (requant_simd.go) into rows × 8 bytes, ostride")
	g.p("// bytes apart; row i's sums start at init[i] plus the constant. Per")
	g.p("// channel: SSHL (left shift, wrapping), SQRDMULH (the doubling high")
	g.p("// multiply (ab + 2^30) >> 31), for the reference rounding −1 for a")
	g.p("// negative value with a right shift (AND with −right·isRef, SSHR #31,")
	g.p("// SQADD), SRSHL by −right (rounds ties up, without overflow), clamp to")
	g.p("// [actMin−off, actMax−off], add off, keep the low bytes.")
	g.p("TEXT ·requantTileNEON(SB), NOSPLIT, $0-48")
	g.p("\tMOVD sums+0(FP), R0")
	g.p("\tMOVD q+8(FP), R1")
	g.p("\tMOVD init+16(FP), R2")
	g.p("\tMOVD out+24(FP), R3")
	g.p("\tMOVD rows+32(FP), R4")
	g.p("\tMOVD ostride+40(FP), R5")
	g.p("\tVLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]     // cst, left")
	g.p("\tVLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]     // m, right")
	g.p("\tVLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4] // mask, mask>>1 (unused)")
	g.p("\tVLD1.P 32(R1), [V8.S4, V9.S4]                   // isRef")
	g.p("\tVLD1.P 64(R1), [V10.S4, V11.S4, V12.S4, V13.S4] // lo, hi")
	g.p("\tVLD1 (R1), [V14.S4, V15.S4]                     // off")
	g.p("\tVEOR V24.B16, V24.B16, V24.B16")
	g.p("\tVSUB V6.S4, V24.S4, V6.S4 // −right")
	g.p("\tVSUB V7.S4, V24.S4, V7.S4")
	g.p("\tVAND V6.B16, V8.B16, V8.B16 // −right where the reference rounding applies")
	g.p("\tVAND V7.B16, V9.B16, V9.B16")
	g.p("\tCBZ R4, rqdone")
	g.p("")
	g.p("rqloop:")
	g.p("\tVLD1.P 32(R0), [V16.S4, V17.S4]")
	g.p("\tMOVW.P 4(R2), R6")
	g.p("\tVDUP R6, V18.S4")
	for j := uint32(0); j < 2; j++ {
		v := 16 + j
		g.p("\tVADD V%d.S4, V%d.S4, V%d.S4", j, v, v)
		g.p("\tVADD V18.S4, V%d.S4, V%d.S4", v, v)
		g.word(three("sshl", v, v, 2+j))
		g.word(three("sqrdmulh", v, v, 4+j))
		g.p("\tVAND V%d.B16, V%d.B16, V%d.B16", 8+j, v, 20+j)
		g.word(sshr31(20+j, 20+j))
		g.word(three("sqadd", v, v, 20+j))
		g.word(three("srshl", v, v, 6+j))
		g.word(three("smax", v, v, 10+j))
		g.word(three("smin", v, v, 12+j))
		g.p("\tVADD V%d.S4, V%d.S4, V%d.S4", 14+j, v, v)
	}
	g.p("\tVUZP1 V17.H8, V16.H8, V22.H8")
	g.p("\tVUZP1 V22.B16, V22.B16, V22.B16")
	g.p("\tVMOV V22.D[0], R7")
	g.p("\tMOVD R7, (R3)")
	g.p("\tADD R5, R3, R3")
	g.p("\tSUBS $1, R4, R4")
	g.p("\tBNE rqloop")
	g.p("")
	g.p("rqdone:")
	g.p("\tRET")
}

func main() {
	out := flag.String("o", "gemm_neon_arm64.s", "output file")
	kernels := flag.String("kernels", "gemm", "which kernels: gemm, depthwise (depthwise.go), add (add.go) or float (float.go)")
	flag.Parse()
	switch *kernels {
	case "depthwise":
		writeDepthwise(*out)
		return
	case "add":
		writeAdd(*out)
		return
	case "float":
		if err := os.WriteFile(*out, floatFile(), 0o644); err != nil {
			log.Fatal(err)
		}
		return
	}
	writeGemm(*out)
}

// header starts a generated .s file: the notice, the build constraint
// and textflag.h.
func header() *gen {
	g := &gen{}
	g.p("// Code generated by internal/neongen; DO NOT EDIT.")
	g.p("")
	g.p("//go:build arm64 && !purego")
	g.p("")
	g.p("#include \"textflag.h\"")
	g.p("")
	return g
}

// writeGemm writes the quantized GEMM kernels (gemm_neon_arm64.s) to out.
func writeGemm(out string) {
	g := header()
	g.p("// Quantized GEMM micro-kernels of the arm64 paths (see gemm_neon.go for")
	g.p("// the packed layouts). Go's assembler lacks SMLAL, SDOT, SXTL and")
	g.p("// SADALP: they are WORDs with the instruction as comment, checked by")
	g.p("// TestNEONEncodings. Both kernels' products are exact and summed into")
	g.p("// int32 lanes without saturation, so the sums wrap as TFLite's int32")
	g.p("// accumulators do.")
	g.p("")
	g.neonTile()
	g.p("")
	g.dotTile()
	g.p("")
	g.widen()
	g.p("")
	g.prep()
	g.p("")
	g.requant()
	if err := os.WriteFile(out, g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
