package kernels

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// decodeA64Float disassembles the Advanced SIMD float encodings that
// float_neon_arm64.s emits as WORDs, field by field as the Arm ARM lays
// them out (C7.2: FMUL by element; FMUL, FADD, FMAX, FMIN vector), or returns
// "" for anything else. Only the .4S forms (Q = 1, sz = 0) are emitted.
func decodeA64Float(w uint32) string {
	bits := func(hi, lo uint) uint32 { return w >> lo & (1<<(hi-lo+1) - 1) }
	rd, rn, rm := bits(4, 0), bits(9, 5), bits(20, 16)
	switch {
	// FMUL (by element): 0 Q U=0 01111 1 sz L M Rm 1001 H 0 Rn Rd; for
	// sz = 0 the index is H:L and the register M:Rm.
	case bits(31, 29) == 0b010 && bits(28, 23) == 0b011111 && bits(22, 22) == 0 && bits(15, 12) == 0b1001 && bits(10, 10) == 0:
		return fmt.Sprintf("fmul v%d.4s, v%d.4s, v%d.s[%d]", rd, rn, rm, bits(11, 11)<<1|bits(21, 21))
	// Three registers of the same type, single precision:
	// 0 Q U 01110 a sz=0 1 Rm opcode 1 Rn Rd.
	case bits(31, 30) == 0b01 && bits(28, 24) == 0b01110 && bits(22, 21) == 0b01 && bits(10, 10) == 1:
		name := map[uint32]string{
			0b1_0_11011: "fmul", 0b0_0_11010: "fadd", 0b0_0_11110: "fmax", 0b0_1_11110: "fmin",
		}[bits(29, 29)<<6|bits(23, 23)<<5|bits(15, 11)]
		if name == "" {
			return ""
		}
		return fmt.Sprintf("%s v%d.4s, v%d.4s, v%d.4s", name, rd, rn, rm)
	}
	return ""
}

// TestNEONFloatEncodings checks every WORD of float_neon_arm64.s against
// the instruction in its comment, by decodeA64Float and, where llvm-mc is
// installed, by assembling the comments. It also checks that the kernel
// never fuses: no FMLA anywhere in the file.
func TestNEONFloatEncodings(t *testing.T) {
	src, err := os.ReadFile("float_neon_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	var words []uint32
	var asm []string
	for _, line := range strings.Split(string(src), "\n") {
		if code, _, _ := strings.Cut(line, "//"); strings.Contains(strings.ToUpper(code), "FMLA") {
			t.Fatalf("float_neon_arm64.s uses FMLA (%q): the products must be rounded before they are added", line)
		}
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
	if len(words) != 360 {
		t.Fatalf("found %d WORDs in float_neon_arm64.s, want the kernels' 360", len(words))
	}
	for i, w := range words {
		if strings.HasPrefix(asm[i], "fmla") {
			t.Fatalf("WORD $0x%08x is %s: the products must be rounded before they are added", w, asm[i])
		}
		if got := decodeA64Float(w); got != asm[i] {
			t.Errorf("WORD $0x%08x decodes as %q, comment says %q", w, got, asm[i])
		}
	}
	// Encodings from the Arm ARM by hand, so the decoder is not only
	// checked against itself.
	for _, tc := range []struct {
		w    uint32
		want string
	}{
		{0x4f80910a, "fmul v10.4s, v8.4s, v0.s[0]"},
		{0x4fa7992f, "fmul v15.4s, v9.4s, v7.s[3]"},
		{0x4e2ad610, "fadd v16.4s, v16.4s, v10.4s"},
		{0x4e2af610, "fmax v16.4s, v16.4s, v10.4s"},
		{0x4eabf610, "fmin v16.4s, v16.4s, v11.4s"},
		{0x4f80110a, ""}, // FMLA by element: never emitted
		{0x6e3adf1c, "fmul v28.4s, v24.4s, v26.4s"},
		{0x4e3ade10, ""}, // FMULX (vector)
		{0x4eaad610, ""}, // FSUB (vector)
	} {
		if got := decodeA64Float(tc.w); got != tc.want {
			t.Errorf("decodeA64Float(%#08x) = %q, want %q", tc.w, got, tc.want)
		}
	}

	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed: encodings checked by the field decoder only")
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-show-encoding")
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
