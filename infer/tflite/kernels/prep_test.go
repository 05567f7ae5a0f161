package kernels

import "testing"

// TestPrepRow checks the VNNI path's input preparation (XOR into unsigned
// bytes, sum of the int8 values) against plain Go for every length that
// exercises the 32-, 16- and 8-byte steps and the byte tail.
func TestPrepRow(t *testing.T) {
	if !available(PathAVX2) {
		t.Skip("no AVX2 on this CPU or build")
	}
	for n := 1; n <= 100; n++ {
		for _, xor := range []uint8{0, 0x80} {
			src := make([]int8, n)
			for i := range src {
				src[i] = int8(i*37 + 5 + n)
			}
			dst := make([]byte, n+8)
			for i := range dst {
				dst[i] = 0xee
			}
			got := prepRow(dst, src, xor)
			want := 0
			for i, v := range src {
				u := uint8(v) ^ xor
				if dst[i] != u {
					t.Fatalf("n %d xor %#x: dst[%d] = %d; want %d", n, xor, i, dst[i], u)
				}
				want += int(u) - 128
			}
			if got != want {
				t.Fatalf("n %d xor %#x: sum %d; want %d", n, xor, got, want)
			}
			for i := n; i < len(dst); i++ {
				if dst[i] != 0xee {
					t.Fatalf("n %d: wrote past the row at %d", n, i)
				}
			}
		}
	}
}
