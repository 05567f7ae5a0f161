package jpeg

import (
	"math/rand/v2"
	"testing"
)

// idctSIMD is a literal transcription of libjpeg-turbo's SIMD islow IDCT
// (block-wide DC-only test, then two idct1D passes with 16-bit
// saturation, then 8-bit saturation); idctIslow is the optimised form.
func idctSIMD(blk *[64]int16, q *[64]int32) [64]byte {
	var ws [64]int32
	if acZero(blk) {
		for c := 0; c < 8; c++ {
			dc := int32(int16(int16(int32(blk[c])*q[c]) << 2))
			for r := 0; r < 8; r++ {
				ws[r*8+c] = dc
			}
		}
	} else {
		for c := 0; c < 8; c++ {
			var in [8]int32
			for r := range in {
				in[r] = int32(int16(int32(blk[r*8+c]) * q[r*8+c]))
			}
			o := [8]int32{}
			o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = idct1D(in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], 11)
			for r := range o {
				ws[r*8+c] = o[r]
			}
		}
	}
	var out [64]byte
	for r := 0; r < 8; r++ {
		w := ws[r*8 : r*8+8]
		o := [8]int32{}
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = idct1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], 18)
		for c := range o {
			out[r*8+c] = byte(min(max(o[c], -128), 127) + 128)
		}
	}
	return out
}

// TestIDCTMatchesSIMDTranscription checks the optimised IDCT against the
// literal one on random blocks: sparse and dense, small and full-range
// coefficients, 8- and 16-bit quantisation tables.
func TestIDCTMatchesSIMDTranscription(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name          string
		coefMax, qMax int
		density       float64
	}{
		{"typical", 60, 100, 0.2},
		{"dense", 300, 255, 0.9},
		{"dc only", 2047, 255, 0},
		{"16-bit tables", 2047, 32767, 0.3},
		{"full range", 32767, 65535, 0.5},
		{"huge dc", 32767, 65535, 0},
	}
	for _, tc := range cases {
		for n := 0; n < 3000; n++ {
			var blk [64]int16
			var q [64]int32
			for i := range blk {
				q[i] = int32(int16(1 + rng.IntN(tc.qMax)))
				if i == 0 || rng.Float64() < tc.density {
					blk[i] = int16(rng.IntN(2*tc.coefMax+1) - tc.coefMax)
				}
			}
			var got [64]byte
			idctIslow(&blk, &q, got[:], 8)
			if want := idctSIMD(&blk, &q); got != want {
				t.Fatalf("%s: block %v q %v:\ngot  %v\nwant %v", tc.name, blk, q, got, want)
			}
		}
	}
}
