package kernels

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wordLine matches a WORD directive of gemm_neon_arm64.s and its comment.
var wordLine = regexp.MustCompile(`^\s*WORD \$0x([0-9a-f]{8}) // (.+)$`)

// decodeA64 disassembles the few Advanced SIMD encodings the arm64
// kernels emit as WORDs, field by field as the Arm ARM lays them out
// (C7.2: SMLAL by element, SDOT by element, SMULL, SMLAL and SADDW (vector),
// SSHLL, SADDLP, SADALP,
// SQADD, SSHL, SRSHL, SMAX, SMIN, SQRDMULH, SSHR), or
// returns "" for anything else.
func decodeA64(w uint32) string {
	bits := func(hi, lo uint) uint32 { return w >> lo & (1<<(hi-lo+1) - 1) }
	rd, rn := bits(4, 0), bits(9, 5)
	q := bits(30, 30)
	switch {
	// SMLAL{2} (by element): 0 Q U=0 01111 size=01 L M Rm 0010 H 0 Rn Rd;
	// H-sized elements index H:L:M, Rm is V0–V15.
	case bits(31, 31) == 0 && bits(29, 24) == 0b001111 && bits(23, 22) == 0b01 && bits(15, 12) == 0b0010 && bits(10, 10) == 0:
		idx := bits(11, 11)<<2 | bits(21, 21)<<1 | bits(20, 20)
		if q == 1 {
			return fmt.Sprintf("smlal2 v%d.4s, v%d.8h, v%d.h[%d]", rd, rn, bits(19, 16), idx)
		}
		return fmt.Sprintf("smlal v%d.4s, v%d.4h, v%d.h[%d]", rd, rn, bits(19, 16), idx)
	// SDOT (by element): 0 Q U=0 01111 size=10 L M Rm 1110 H 0 Rn Rd;
	// index H:L, register M:Rm.
	case bits(31, 31) == 0 && q == 1 && bits(29, 24) == 0b001111 && bits(23, 22) == 0b10 && bits(15, 12) == 0b1110 && bits(10, 10) == 0:
		return fmt.Sprintf("sdot v%d.4s, v%d.16b, v%d.4b[%d]", rd, rn, bits(20, 16), bits(11, 11)<<1|bits(21, 21))
	// SMULL{2} / SMLAL{2} (vector), .4S from .4H/.8H ("three registers of
	// different types", size 01): 0 Q U=0 01110 01 1 Rm opcode 00 Rn Rd
	// with opcode 1100 (SMULL) or 1000 (SMLAL).
	case bits(31, 31) == 0 && bits(29, 21) == 0b001110011 && bits(11, 10) == 0 && (bits(15, 12) == 0b1100 || bits(15, 12) == 0b1000):
		name := map[uint32]string{0b1100: "smull", 0b1000: "smlal"}[bits(15, 12)]
		if q == 1 {
			return fmt.Sprintf("%s2 v%d.4s, v%d.8h, v%d.8h", name, rd, rn, bits(20, 16))
		}
		return fmt.Sprintf("%s v%d.4s, v%d.4h, v%d.4h", name, rd, rn, bits(20, 16))
	// SADDW{2} (.4S, .4S, .{4,8}H): 0 Q U=0 01110 01 1 Rm 0001 00 Rn Rd.
	case bits(31, 31) == 0 && bits(29, 21) == 0b001110011 && bits(15, 10) == 0b000100:
		if q == 1 {
			return fmt.Sprintf("saddw2 v%d.4s, v%d.4s, v%d.8h", rd, rn, bits(20, 16))
		}
		return fmt.Sprintf("saddw v%d.4s, v%d.4s, v%d.4h", rd, rn, bits(20, 16))
	// SSHLL{2} with immh:immb = 0001:000 (8-bit elements, shift 0) is
	// SXTL{2}: 0 Q U=0 011110 immh immb 10100 1 Rn Rd.
	case bits(31, 31) == 0 && bits(29, 23) == 0b0011110 && bits(22, 16) == 0b0001000 && bits(15, 10) == 0b101001:
		if q == 1 {
			return fmt.Sprintf("sxtl2 v%d.8h, v%d.16b", rd, rn)
		}
		return fmt.Sprintf("sxtl v%d.8h, v%d.8b", rd, rn)
	// Three registers of the same type, .4S (size 10, Q 1):
	// 0 1 U 01110 10 1 Rm opcode 1 Rn Rd.
	case bits(31, 30) == 0b01 && bits(28, 21) == 0b01110101 && bits(10, 10) == 1:
		name := map[uint32]string{
			0b0_00001: "sqadd", 0b0_01000: "sshl", 0b0_01010: "srshl",
			0b0_01100: "smax", 0b0_01101: "smin", 0b1_10110: "sqrdmulh",
		}[bits(29, 29)<<5|bits(15, 11)]
		if name == "" {
			return ""
		}
		return fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.4s", name, rd, rn, bits(20, 16))
	// SSHR (immediate), .4S: 0 1 0 011110 immh=01xx immb 00000 1 Rn Rd,
	// shift = 64 − immh:immb.
	case bits(31, 23) == 0b010011110 && bits(22, 19)&0b1100 == 0b0100 && bits(15, 10) == 0b000001:
		return fmt.Sprintf("sshr v%d.4s, v%d.4s, #%d", rd, rn, 64-bits(22, 16))
	// SADDLP / SADALP, Q=1: 0 1 U=0 01110 size 10000 0 op 010 10 Rn Rd
	// with op = 0 (SADDLP) or 1 (SADALP); size 00 = .16B→.8H, 01 = .8H→.4S.
	case bits(31, 29) == 0b010 && bits(28, 24) == 0b01110 && bits(21, 15) == 0b1000000 && bits(13, 10) == 0b1010:
		arr := [...]string{"8h, v%d.16b", "4s, v%d.8h", "", ""}[bits(23, 22)]
		if arr == "" {
			return ""
		}
		op := [...]string{"saddlp", "sadalp"}[bits(14, 14)]
		return fmt.Sprintf("%s v%d."+arr, op, rd, rn)
	}
	return ""
}

// asmWords returns the WORD directives of the arm64 assembly file name:
// encodings and the instructions their comments claim.
func asmWords(t *testing.T, name string) ([]uint32, []string) {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var words []uint32
	var asm []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "WORD") || strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		m := wordLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("WORD without a hex encoding and an instruction comment: %q", line)
		}
		v, _ := strconv.ParseUint(m[1], 16, 32)
		words = append(words, uint32(v))
		asm = append(asm, m[2])
	}
	return words, asm
}

// TestNEONEncodings checks every WORD of the arm64 assembly against the
// instruction in its comment: by the Arm ARM's field layout (decodeA64),
// and, where llvm-mc is installed, by assembling the comments with it.
func TestNEONEncodings(t *testing.T) {
	var words []uint32
	var asm []string
	for _, f := range []struct {
		name string
		n    int
	}{
		{"gemm_neon_arm64.s", 210},
		{"depthwise_neon_arm64.s", 4 * 18}, // + 2 · 9 SXTL
		{"add_neon_arm64.s", 2 * 64},       // + 4 SXTL
	} {
		w, a := asmWords(t, f.name)
		if len(w) < f.n {
			t.Fatalf("found %d WORDs in %s, want at least the kernels' %d", len(w), f.name, f.n)
		}
		words, asm = append(words, w...), append(asm, a...)
	}
	for i, w := range words {
		if got := decodeA64(w); got != asm[i] {
			t.Errorf("WORD $0x%08x decodes as %q, comment says %q", w, got, asm[i])
		}
	}
	// A few encodings from the Arm ARM by hand, so the decoder is not only
	// checked against itself.
	for _, tc := range []struct {
		w    uint32
		want string
	}{
		{0x0f402110, "smlal v16.4s, v8.4h, v0.h[0]"},
		{0x4f7729f1, "smlal2 v17.4s, v15.8h, v7.h[7]"},
		{0x4f80e110, "sdot v16.4s, v8.16b, v0.4b[0]"},
		{0x4fa7e97f, "sdot v31.4s, v11.16b, v7.4b[3]"},
		{0x0f08a401, "sxtl v1.8h, v0.8b"},
		{0x4e202801, "saddlp v1.8h, v0.16b"},
		{0x4e606824, "sadalp v4.4s, v1.8h"},
		{0x4ea24610, "sshl v16.4s, v16.4s, v2.4s"},
		{0x6ea4b610, "sqrdmulh v16.4s, v16.4s, v4.4s"},
		{0x4eac6e10, "smin v16.4s, v16.4s, v12.4s"},
		{0x4f210694, "sshr v20.4s, v20.4s, #31"},
		{0x0e60c21c, "smull v28.4s, v16.4h, v0.4h"},
		{0x4e61823d, "smlal2 v29.4s, v17.8h, v1.8h"},
		{0x2e60c21c, ""}, // UMULL: not emitted
		{0x4e731018, "saddw2 v24.4s, v0.4s, v19.8h"},
		{0x6e80e110, ""}, // UDOT: not emitted
		{0x4ea08400, ""}, // ADD (vector): not a WORD
	} {
		if got := decodeA64(tc.w); got != tc.want {
			t.Errorf("decodeA64(%#08x) = %q, want %q", tc.w, got, tc.want)
		}
	}

	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed: encodings checked by the field decoder only")
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-mattr=+dotprod", "-show-encoding")
	cmd.Stdin = strings.NewReader(strings.Join(asm, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	enc := regexp.MustCompile(`encoding: \[0x(..),0x(..),0x(..),0x(..)\]`).FindAllStringSubmatch(string(out), -1)
	if len(enc) != len(words) {
		t.Fatalf("llvm-mc encoded %d of %d instructions:\n%s", len(enc), len(words), out)
	}
	for i, m := range enc {
		v, _ := strconv.ParseUint(m[4]+m[3]+m[2]+m[1], 16, 32)
		if uint32(v) != words[i] {
			t.Errorf("%s: llvm-mc encodes %#08x, the WORD is %#08x", asm[i], v, words[i])
		}
	}
}
