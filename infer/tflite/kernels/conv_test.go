package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// convCase is one CONV_2D or DEPTHWISE_CONV_2D problem of the table tests.
type convCase struct {
	name       string
	p          ConvParams
	perChannel bool // int8 only: one multiplier per output channel
	halfUp     bool
	relu       bool
	pow2       int // when > 0, every multiplier is exactly 2^-pow2, so ties of the final rounding are frequent
}

// quant draws the test's quantization parameters.
func (tc *convCase) quant(r *rand.Rand, outC, taps int, signed bool) *naiveQuant {
	nq := randQuant(r, outC, taps, signed, tc.perChannel && signed, tc.halfUp, tc.relu)
	if tc.pow2 > 0 {
		for i := range nq.mult {
			nq.mult[i], nq.shift[i] = QuantizeMultiplier(math.Ldexp(1, -tc.pow2))
		}
	}
	return nq
}

var convCases = []convCase{
	{name: "1x1/s1", p: geom(1, 7, 5, 16, 8, 1, 1, 1, 1, 1, false)},
	{name: "1x1/s1/wide", p: geom(2, 4, 6, 33, 21, 1, 1, 1, 1, 1, true), perChannel: true, halfUp: true},
	{name: "1x1/s2/odd", p: geom(1, 9, 7, 5, 3, 1, 1, 2, 1, 1, true), relu: true},
	{name: "3x3/s1/same", p: geom(1, 8, 8, 3, 8, 3, 3, 1, 1, 1, true), perChannel: true},
	{name: "3x3/s2/same/odd", p: geom(1, 9, 11, 4, 7, 3, 3, 2, 1, 1, true), halfUp: true, relu: true},
	{name: "3x3/s2/valid", p: geom(2, 10, 9, 6, 5, 3, 3, 2, 1, 1, false), perChannel: true, halfUp: true},
	{name: "3x3/d2/same", p: geom(1, 9, 9, 4, 6, 3, 3, 1, 2, 1, true), relu: true},
	{name: "5x3/d2/valid", p: geom(1, 12, 10, 3, 4, 5, 3, 1, 2, 1, false), perChannel: true},
	{name: "2x2/s2/valid", p: geom(1, 8, 8, 8, 9, 2, 2, 2, 1, 1, false)},
	{name: "7x7/s2/same", p: geom(1, 15, 13, 3, 10, 7, 7, 2, 1, 1, true), perChannel: true, halfUp: true},
	{name: "1x1/ties/halfup", p: geom(1, 6, 6, 8, 16, 1, 1, 1, 1, 1, false), halfUp: true, pow2: 7},
	{name: "3x3/ties/ref", p: geom(1, 6, 6, 4, 16, 3, 3, 1, 1, 1, true), pow2: 8},
	{name: "1x1/outc23", p: geom(1, 3, 5, 9, 23, 1, 1, 1, 1, 1, false), perChannel: true},
	{name: "3x3/outc13/k>32", p: geom(1, 5, 4, 7, 13, 3, 3, 1, 1, 1, true), halfUp: true},
	{name: "1x1/pixel", p: geom(1, 1, 1, 40, 17, 1, 1, 1, 1, 1, false), relu: true},
	// SIMD tiles: whole 16/32-channel blocks written in place, ragged
	// last blocks, pixel counts that are not multiples of 4 or 8, odd K.
	{name: "1x1/c48/tiles", p: geom(1, 7, 9, 24, 48, 1, 1, 1, 1, 1, false), perChannel: true, halfUp: true},
	{name: "3x3/c70/ragged", p: geom(1, 5, 6, 7, 70, 3, 3, 1, 1, 1, true), perChannel: true},
	{name: "1x1/c64/ties", p: geom(1, 3, 11, 33, 64, 1, 1, 1, 1, 1, false), halfUp: true, pow2: 6},
	// The fused VNNI kernel: rows read in place (K a multiple of 4, also
	// with stride 2 across rows and images), copied (other K), gathered
	// (im2col with padding), half tiles (≤ 16 channels), K = 1, K = 2048,
	// 1–9 pixels.
	{name: "1x1/inplace/c16/9px", p: geom(1, 3, 3, 32, 16, 1, 1, 1, 1, 1, false), perChannel: true},
	{name: "1x1/inplace/s2/c20", p: geom(2, 7, 9, 8, 20, 1, 1, 2, 1, 1, false), relu: true},
	{name: "1x1/k1/c33", p: geom(1, 1, 5, 1, 33, 1, 1, 1, 1, 1, false)},
	{name: "1x1/k2048/c40/3px", p: geom(1, 1, 3, 2048, 40, 1, 1, 1, 1, 1, false), perChannel: true, halfUp: true},
	{name: "1x1/k100/c17/1px", p: geom(1, 1, 1, 100, 17, 1, 1, 1, 1, 1, false), pow2: 5},
	{name: "1x1/k65/c32/2px", p: geom(1, 2, 1, 65, 32, 1, 1, 1, 1, 1, false), perChannel: true},
	{name: "3x3/c1/k9/pad", p: geom(1, 4, 5, 1, 3, 3, 3, 1, 1, 1, true), halfUp: true},
}

func TestConvQuantMatchesNaive(t *testing.T) {
	for i, tc := range convCases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			p := tc.p
			if err := CheckConv(&p, false); err != nil {
				t.Fatalf("CheckConv: %v", err)
			}
			taps := p.KH * p.KW * p.InC
			t.Run("uint8", func(t *testing.T) {
				nq := tc.quant(r, p.OutC, taps, false)
				in := randBytes[uint8](r, p.N*p.InH*p.InW*p.InC)
				f := randBytes[uint8](r, p.OutC*taps)
				bias := randBias(r, p.OutC, 5000)
				want := naiveConvQuant(&p, false, in, f, bias, nq)
				checkSpread(t, want)
				if pf := PackConvUint8(p.OutC, taps, f, bias, nq.params()); !pf.fast {
					t.Errorf("PackConvUint8: fast path refused")
				}
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2, 3} {
						pool := NewPool(workers)
						got := make([]uint8, len(want))
						ConvUint8(&p, in, f, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("ConvUint8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("int8", func(t *testing.T) {
				nq := tc.quant(r, p.OutC, taps, true)
				in := randBytes[int8](r, p.N*p.InH*p.InW*p.InC)
				f := randBytes[int8](r, p.OutC*taps)
				bias := randBias(r, p.OutC, 5000)
				if tc.relu {
					bias = nil
				}
				want := naiveConvQuant(&p, false, in, f, bias, nq)
				checkSpread(t, want)
				if pf := PackConvInt8(p.OutC, taps, f, bias, nq.params()); !pf.fast {
					t.Errorf("PackConvInt8: fast path refused")
				}
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2, 3} {
						pool := NewPool(workers)
						got := make([]int8, len(want))
						ConvInt8(&p, in, f, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("ConvInt8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("float32", func(t *testing.T) {
				in := randFloats(r, p.N*p.InH*p.InW*p.InC)
				f := randFloats(r, p.OutC*taps)
				bias := randFloats(r, p.OutC)
				lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
				if tc.relu {
					lo, hi = 0, 6
				}
				want := naiveConvFloat(&p, false, in, f, bias, lo, hi)
				got := make([]float32, len(want))
				ConvFloat32(&p, in, f, bias, got, lo, hi, nil, nil)
				checkFloats(t, "ConvFloat32", got, want, taps)
			})
		})
	}
}

// checkFloats compares float32 results with a float64 reference, allowing
// the rounding error of a float32 sum of taps terms each below 1.
func checkFloats(t *testing.T, name string, got []float32, want []float64, taps int) {
	t.Helper()
	tol := 1e-6 * float64(taps+1)
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
			t.Fatalf("%s: out[%d] = %g; want %g (±%g)", name, i, got[i], want[i], tol)
		}
	}
}
