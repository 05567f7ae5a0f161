package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkHybridConv is a MobileNet-sized hybrid 3×3 convolution
// (56×56×64 → 64): float input quantized per image, int8 weights.
func BenchmarkHybridConv(b *testing.B) {
	p := ConvParams{N: 1, InH: 56, InW: 56, InC: 64, OutH: 56, OutW: 56, OutC: 64, KH: 3, KW: 3,
		StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, PadTop: 1, PadLeft: 1}
	r := rand.New(rand.NewPCG(1, 1))
	in := make([]float32, 56*56*64)
	for i := range in {
		in[i] = float32(r.NormFloat64())
	}
	w := make([]int8, 64*9*64)
	for i := range w {
		w[i] = int8(r.IntN(255) - 127)
	}
	q := make([]int32, len(in))
	h := PackHybrid(64, 9*64, w)
	sc := NewScratch(HybridConvScratchSize(h, 1))
	out := make([]float32, 56*56*64)
	ws := []float32{0.01}
	b.SetBytes(int64(56 * 56 * 64 * 9 * 64)) // MACs, reported as "MB/s" = M MAC/s
	for b.Loop() {
		s, zp := AsymmetricQuantizeFloats(in, q)
		HybridConv(&p, q, []float32{s}, []int32{zp}, h, ws, nil, out, -1e30, 1e30, sc, nil)
	}
}

// TestHybridFilterDot checks the packed dot products against a plain loop
// for channel counts around the 12-channel blocks and long rows.
func TestHybridFilterDot(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, tc := range []struct{ outC, k int }{{1, 1}, {5, 9}, {12, 33}, {13, 64}, {25, 100}, {64, 576}} {
		w := make([]int8, tc.outC*tc.k)
		for i := range w {
			w[i] = int8(r.IntN(256) - 128)
		}
		a := make([]int8, tc.k)
		for i := range a {
			a[i] = int8(r.IntN(256) - 128)
		}
		zp := int32(r.IntN(256) - 128)
		h := PackHybrid(tc.outC, tc.k, w)
		got := make([]int32, tc.outC)
		h.dot(a, zp, got)
		for c := range tc.outC {
			var want int32
			for i, v := range a {
				want += (int32(v) - zp) * int32(w[c*tc.k+i])
			}
			if got[c] != want {
				t.Errorf("outC %d k %d channel %d: dot = %d; want %d", tc.outC, tc.k, c, got[c], want)
			}
		}
	}
}
