package main

import (
	"fmt"
	"log"
	"os"
)

// mull encodes SMULL{2} or SMLAL{2} <Vd>.4S, <Vn>.{4,8}H, <Vm>.{4,8}H
// (vector, "three registers of different types", size 01):
// 0 Q 0 01110 01 1 Rm opcode 00 Rn Rd with opcode 1100 (SMULL) or 1000
// (SMLAL). upper selects the "2" form (Q = 1, the high four halfwords).
func mull(acc, upper bool, d, n, m uint32) (uint32, string) {
	if d > 31 || n > 31 || m > 31 {
		log.Fatalf("mull: bad operands v%d v%d v%d", d, n, m)
	}
	w, name := uint32(0x0e60c000), "smull"
	if acc {
		w, name = 0x0e608000, "smlal"
	}
	w |= m<<16 | n<<5 | d
	if upper {
		return w | 1<<30, fmt.Sprintf("%s2 v%d.4s, v%d.8h, v%d.8h", name, d, n, m)
	}
	return w, fmt.Sprintf("%s v%d.4s, v%d.4h, v%d.4h", name, d, n, m)
}

// dwTaps emits the 9 taps of one pixel × 8 channels: the input bytes are
// in V16–V24 (low 8 bytes), the weights in V0–V8 (8 int16 each); the
// exact products go to V28 (channels 0–3) and V29 (4–7), the first tap
// with SMULL (no zeroing), the others with SMLAL.
func (g *gen) dwTaps(signed bool) {
	for t := uint32(0); t < 9; t++ {
		if signed {
			g.word(sxtl(false, 16+t, 16+t))
		} else {
			g.p("\tVUXTL V%d.B8, V%d.H8", 16+t, 16+t)
		}
	}
	for t := uint32(0); t < 9; t++ {
		g.word(mull(t > 0, false, 28, 16+t, t))
		g.word(mull(t > 0, true, 29, 16+t, t))
	}
}

// dwWeights loads one group's 9 weight vectors into V0–V8.
func (g *gen) dwWeights() {
	g.p("\tVLD1.P 64(R1), [V0.H8, V1.H8, V2.H8, V3.H8]")
	g.p("\tVLD1.P 64(R1), [V4.H8, V5.H8, V6.H8, V7.H8]")
	g.p("\tVLD1.P 16(R1), [V8.H8]")
}

// dwInterior emits dw3x3{U8,I8}NEON: n pixels, sx bytes apart in the
// input, taps at dy (rows) and dx (columns); group-major so that each
// group's weights stay in registers for all n pixels.
func (g *gen) dwInterior(signed bool) {
	name, l := "dw3x3U8NEON", "u8"
	if signed {
		name, l = "dw3x3I8NEON", "i8"
	}
	g.p("// func %s(in *byte, w *int16, acc *int32, c8 int, dy, dx, sx uintptr, n int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-64", name)
	g.p("\tMOVD in+0(FP), R0")
	g.p("\tMOVD w+8(FP), R1")
	g.p("\tMOVD acc+16(FP), R2")
	g.p("\tMOVD c8+24(FP), R3")
	g.p("\tMOVD dy+32(FP), R10")
	g.p("\tMOVD dx+40(FP), R8")
	g.p("\tMOVD sx+48(FP), R6")
	g.p("\tMOVD n+56(FP), R7")
	g.p("\tCBZ R7, dw%sdone", l)
	g.p("\tCBZ R3, dw%sdone", l)
	g.p("\tADD R8, R8, R9   // 2dx")
	g.p("\tADD R8, R10, R11 // dy+dx")
	g.p("\tADD R9, R10, R12 // dy+2dx")
	g.p("\tADD R10, R10, R13 // 2dy")
	g.p("\tADD R8, R13, R14 // 2dy+dx")
	g.p("\tADD R9, R13, R15 // 2dy+2dx")
	g.p("")
	g.p("dw%sgroup:", l)
	g.dwWeights()
	g.p("\tMOVD R0, R19")
	g.p("\tMOVD R7, R20")
	g.p("")
	g.p("dw%spixel:", l)
	g.p("\tFMOVD (R19), F16")
	for t, r := range []int{8, 9, 10, 11, 12, 13, 14, 15} {
		g.p("\tFMOVD (R19)(R%d), F%d", r, 17+t)
	}
	g.dwTaps(signed)
	g.p("\tVST1.P [V28.S4, V29.S4], 32(R2)")
	g.p("\tADD R6, R19, R19")
	g.p("\tSUBS $1, R20, R20")
	g.p("\tBNE dw%spixel", l)
	g.p("\tADD $8, R0, R0")
	g.p("\tSUBS $1, R3, R3")
	g.p("\tBNE dw%sgroup", l)
	g.p("")
	g.p("dw%sdone:", l)
	g.p("\tRET")
}

// dwMul emits the 18 multiplies of one pixel whose three input columns
// (widened, 3 rows each) are in V16+3·cols[0], V16+3·cols[1] and
// V16+3·cols[2].
func (g *gen) dwMul(cols [3]uint32) {
	for ky := uint32(0); ky < 3; ky++ {
		for kx := uint32(0); kx < 3; kx++ {
			t, x := ky*3+kx, 16+3*cols[kx]+ky
			g.word(mull(t > 0, false, 28, x, t))
			g.word(mull(t > 0, true, 29, x, t))
		}
	}
}

// dwColumn loads and widens the input column at R19 (rows 0, dy, 2dy)
// into V16+3·set … V18+3·set, and advances R19 by dx.
func (g *gen) dwColumn(signed bool, set uint32) {
	v := 16 + 3*set
	g.p("\tFMOVD (R19), F%d", v)
	g.p("\tFMOVD (R19)(R10), F%d", v+1)
	g.p("\tFMOVD (R19)(R13), F%d", v+2)
	for i := v; i < v+3; i++ {
		if signed {
			g.word(sxtl(false, i, i))
		} else {
			g.p("\tVUXTL V%d.B8, V%d.H8", i, i)
		}
	}
	g.p("\tADD R8, R19, R19")
}

// dwStride1 emits dw3x3S1{U8,I8}NEON, dw3x3*NEON for pixels dx bytes
// apart (stride = dilation): pixel p+1's first two input columns are
// pixel p's last two, so each pixel loads and widens one new column. The
// three column sets V16–V18, V19–V21, V22–V24 rotate, the loop unrolled
// by 3.
func (g *gen) dwStride1(signed bool) {
	name, l := "dw3x3S1U8NEON", "s1u8"
	if signed {
		name, l = "dw3x3S1I8NEON", "s1i8"
	}
	g.p("// func %s(in *byte, w *int16, acc *int32, c8 int, dy, dx uintptr, n int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-56", name)
	g.p("\tMOVD in+0(FP), R0")
	g.p("\tMOVD w+8(FP), R1")
	g.p("\tMOVD acc+16(FP), R2")
	g.p("\tMOVD c8+24(FP), R3")
	g.p("\tMOVD dy+32(FP), R10")
	g.p("\tMOVD dx+40(FP), R8")
	g.p("\tMOVD n+48(FP), R7")
	g.p("\tCBZ R7, dw%sdone", l)
	g.p("\tCBZ R3, dw%sdone", l)
	g.p("\tADD R10, R10, R13 // 2dy")
	g.p("")
	g.p("dw%sgroup:", l)
	g.dwWeights()
	g.p("\tMOVD R0, R19")
	g.p("\tMOVD R7, R20")
	g.dwColumn(signed, 0)
	g.dwColumn(signed, 1)
	g.p("")
	g.p("dw%spixel:", l)
	for k := uint32(0); k < 3; k++ {
		g.dwColumn(signed, (k+2)%3)
		g.dwMul([3]uint32{k, (k + 1) % 3, (k + 2) % 3})
		g.p("\tVST1.P [V28.S4, V29.S4], 32(R2)")
		g.p("\tSUBS $1, R20, R20")
		if k < 2 {
			g.p("\tBEQ dw%snext", l)
		} else {
			g.p("\tBNE dw%spixel", l)
		}
	}
	g.p("")
	g.p("dw%snext:", l)
	g.p("\tADD $8, R0, R0")
	g.p("\tSUBS $1, R3, R3")
	g.p("\tBNE dw%sgroup", l)
	g.p("")
	g.p("dw%sdone:", l)
	g.p("\tRET")
}

// dwBorder emits dwTaps{U8,I8}NEON: one pixel whose 9 taps are read
// through pointers, 8 channels per group.
func (g *gen) dwBorder(signed bool) {
	name, l := "dwTapsU8NEON", "u8"
	if signed {
		name, l = "dwTapsI8NEON", "i8"
	}
	g.p("// func %s(taps *[9]*byte, w *int16, acc *int32, c8 int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	g.p("\tMOVD taps+0(FP), R0")
	g.p("\tMOVD w+8(FP), R1")
	g.p("\tMOVD acc+16(FP), R2")
	g.p("\tMOVD c8+24(FP), R3")
	g.p("\tCBZ R3, tap%sdone", l)
	g.p("\tLDP.P 16(R0), (R4, R5)")
	g.p("\tLDP.P 16(R0), (R6, R7)")
	g.p("\tLDP.P 16(R0), (R8, R9)")
	g.p("\tLDP.P 16(R0), (R10, R11)")
	g.p("\tMOVD (R0), R12")
	g.p("")
	g.p("tap%sgroup:", l)
	g.dwWeights()
	for t := range 9 {
		g.p("\tVLD1.P 8(R%d), [V%d.B8]", 4+t, 16+t)
	}
	g.dwTaps(signed)
	g.p("\tVST1.P [V28.S4, V29.S4], 32(R2)")
	g.p("\tSUBS $1, R3, R3")
	g.p("\tBNE tap%sgroup", l)
	g.p("")
	g.p("tap%sdone:", l)
	g.p("\tRET")
}

// writeDepthwise writes the depthwise 3x3 micro-kernels to out.
func writeDepthwise(out string) {
	g := header()
	g.p("// Depthwise 3x3 micro-kernels of the arm64 paths (see depthwise_neon.go).")
	g.p("// Per group of 8 channels, V0–V8 hold the 9 taps' weights")
	g.p("// w = filter + FilterOffset as int16; each tap's 8 input bytes are")
	g.p("// loaded into V16–V24, widened to int16 (UXTL for uint8, SXTL for int8)")
	g.p("// and SMULL/SMLAL (low four channels into V28) and SMULL2/SMLAL2 (high")
	g.p("// four into V29) add the exact products (|x·w| ≤ 255·255) into int32")
	g.p("// lanes without saturation; the sums wrap as TFLite's do. The sums of")
	g.p("// group g, pixel p are written to acc[(g·n + p)·8 …]. Per pixel and")
	g.p("// group: 9 loads, 9 widenings, 18 multiplies, 1 store and 3 loop")
	g.p("// instructions = 40 instructions per 72 MACs; with stride = dilation")
	g.p("// (dw3x3S1*) 3 loads and 3 widenings: 28 per 72 MACs.")
	g.p("")
	g.dwInterior(false)
	g.p("")
	g.dwInterior(true)
	g.p("")
	g.dwStride1(false)
	g.p("")
	g.dwStride1(true)
	g.p("")
	g.dwBorder(false)
	g.p("")
	g.dwBorder(true)
	if err := os.WriteFile(out, g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
