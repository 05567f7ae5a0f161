package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// This file holds the obviously-correct references the tests compare the
// kernels with: direct nested loops over every output and every tap, 64-bit
// accumulators, written independently of the package's own code.

// naiveQuant describes one quantized test problem in plain terms.
type naiveQuant struct {
	inZP, filterZP, outZP int64 // zero points (offsets are their negation)
	mult                  []int32
	shift                 []int
	actMin, actMax        int64
	halfUp                bool
}

func (nq *naiveQuant) params() *QuantParams {
	return &QuantParams{
		InputOffset: int32(-nq.inZP), FilterOffset: int32(-nq.filterZP), OutputOffset: int32(nq.outZP),
		Multiplier: nq.mult, Shift: nq.shift, ActMin: int32(nq.actMin), ActMax: int32(nq.actMax), HalfUp: nq.halfUp,
	}
}

// out maps a 64-bit sum (wrapped to int32 as TFLite's accumulator does)
// to an output value.
func (nq *naiveQuant) out(acc int64, ch int) int64 {
	i := 0
	if len(nq.mult) > 1 {
		i = ch
	}
	a := int32(acc)
	var v int32
	if nq.halfUp {
		v = MultiplyByQuantizedMultiplierHalfUp(a, nq.mult[i], nq.shift[i])
	} else {
		v = MultiplyByQuantizedMultiplier(a, nq.mult[i], nq.shift[i])
	}
	r := int64(v) + nq.outZP
	if r < nq.actMin {
		r = nq.actMin
	}
	if r > nq.actMax {
		r = nq.actMax
	}
	return r
}

// naiveConv walks CONV_2D (depthwise false) or DEPTHWISE_CONV_2D
// (depthwise true) directly: for every output (index, channel) it calls tap
// with the input and filter indices of every tap inside the image, then put.
// The float64 acc is used by the float reference only.
func naiveConv(p *ConvParams, depthwise bool, tap func(acc *float64, x, w int), inAt func(b, y, x, c int) int, filterAt func(oc, ky, kx, ic int) int, put func(outIndex, oc int, acc float64)) {
	for b := 0; b < p.N; b++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				for oc := 0; oc < p.OutC; oc++ {
					var acc float64
					for ky := 0; ky < p.KH; ky++ {
						for kx := 0; kx < p.KW; kx++ {
							iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
							ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
							if iy < 0 || iy >= p.InH || ix < 0 || ix >= p.InW {
								continue
							}
							if depthwise {
								ic := oc / p.DepthMultiplier
								tap(&acc, inAt(b, iy, ix, ic), filterAt(oc, ky, kx, ic))
								continue
							}
							for ic := 0; ic < p.InC; ic++ {
								tap(&acc, inAt(b, iy, ix, ic), filterAt(oc, ky, kx, ic))
							}
						}
					}
					put(((b*p.OutH+oy)*p.OutW+ox)*p.OutC+oc, oc, acc)
				}
			}
		}
	}
}

// index functions for NHWC inputs and OHWI / 1HWO filters.
func nhwc(p *ConvParams) func(b, y, x, c int) int {
	return func(b, y, x, c int) int { return ((b*p.InH+y)*p.InW+x)*p.InC + c }
}

func filterIndex(p *ConvParams, depthwise bool) func(oc, ky, kx, ic int) int {
	if depthwise {
		return func(oc, ky, kx, _ int) int { return (ky*p.KW+kx)*p.OutC + oc }
	}
	return func(oc, ky, kx, ic int) int { return ((oc*p.KH+ky)*p.KW+kx)*p.InC + ic }
}

// naiveConvQuant is the exact integer reference: an int64 sum of
// (x − inZP)·(w − filterZP) over the taps, plus bias, wrapped to int32.
func naiveConvQuant[T int8 | uint8](p *ConvParams, depthwise bool, in, filter []T, bias []int32, nq *naiveQuant) []T {
	out := make([]T, p.N*p.OutH*p.OutW*p.OutC)
	var sum int64
	naiveConv(p, depthwise,
		func(_ *float64, x, w int) {
			sum += (int64(in[x]) - nq.inZP) * (int64(filter[w]) - nq.filterZP)
		},
		nhwc(p), filterIndex(p, depthwise),
		func(o, oc int, _ float64) {
			if bias != nil {
				sum += int64(bias[oc])
			}
			out[o] = T(nq.out(sum, oc))
			sum = 0
		})
	return out
}

// naiveConvFloat is the float reference, accumulated in float64.
func naiveConvFloat(p *ConvParams, depthwise bool, in, filter, bias []float32, actMin, actMax float32) []float64 {
	out := make([]float64, p.N*p.OutH*p.OutW*p.OutC)
	naiveConv(p, depthwise,
		func(acc *float64, x, w int) { *acc += float64(in[x]) * float64(filter[w]) },
		nhwc(p), filterIndex(p, depthwise),
		func(o, oc int, acc float64) {
			if bias != nil {
				acc += float64(bias[oc])
			}
			out[o] = math.Min(math.Max(acc, float64(actMin)), float64(actMax))
		})
	return out
}

// geom builds ConvParams for a square-ish problem with TFLite's SAME or
// VALID padding.
func geom(n, inH, inW, inC, outC, kh, kw, stride, dil, dm int, same bool) ConvParams {
	p := ConvParams{N: n, InH: inH, InW: inW, InC: inC, OutC: outC, KH: kh, KW: kw,
		StrideH: stride, StrideW: stride, DilationH: dil, DilationW: dil, DepthMultiplier: dm}
	ekh, ekw := (kh-1)*dil+1, (kw-1)*dil+1
	if same {
		p.OutH, p.OutW = (inH+stride-1)/stride, (inW+stride-1)/stride
		p.PadTop = max((p.OutH-1)*stride+ekh-inH, 0) / 2
		p.PadLeft = max((p.OutW-1)*stride+ekw-inW, 0) / 2
	} else {
		p.OutH, p.OutW = (inH-ekh+stride)/stride, (inW-ekw+stride)/stride
	}
	return p
}

// randQuant draws quantization parameters that make outputs spread over
// the range: the multiplier is about 1/(taps·typical product).
func randQuant(r *rand.Rand, outC, taps int, signed, perChannel, halfUp, relu bool) *naiveQuant {
	nq := &naiveQuant{halfUp: halfUp}
	lo, hi := int64(0), int64(255)
	if signed {
		lo, hi = -128, 127
	}
	// Zero points near the middle, as in real models: far-off ones make
	// every sum saturate. The fuzz test covers the extremes.
	nq.inZP = lo + 96 + r.Int64N(64)
	nq.outZP = lo + 64 + r.Int64N(128)
	if !signed {
		nq.filterZP = 96 + r.Int64N(64)
	}
	n := 1
	if perChannel {
		n = outC
	}
	for range n {
		real := (0.3 + r.Float64()) / (math.Sqrt(float64(taps)) * 400)
		m, s := QuantizeMultiplier(real)
		nq.mult = append(nq.mult, m)
		nq.shift = append(nq.shift, s)
	}
	nq.actMin, nq.actMax = lo, hi
	if relu {
		nq.actMin = max(nq.outZP, lo)
		nq.actMax = min(nq.outZP+100, hi)
	}
	return nq
}

func randBytes[T int8 | uint8](r *rand.Rand, n int) []T {
	b := make([]T, n)
	for i := range b {
		b[i] = T(r.Uint32())
	}
	return b
}

func randBias(r *rand.Rand, n, spread int) []int32 {
	b := make([]int32, n)
	for i := range b {
		b[i] = int32(r.IntN(2*spread+1) - spread)
	}
	return b
}

func randFloats(r *rand.Rand, n int) []float32 {
	f := make([]float32, n)
	for i := range f {
		f[i] = float32(r.Float64()*2 - 1)
	}
	return f
}

// firstDiff describes the first differing element, or "" when equal.
func firstDiff[T int8 | uint8](p *ConvParams, got, want []T) string {
	for i := range want {
		if got[i] != want[i] {
			c := i % p.OutC
			px := i / p.OutC
			return fmt.Sprintf("out[pixel %d (y %d, x %d), ch %d] = %d; want %d", px, px/p.OutW%p.OutH, px%p.OutW, c, got[i], want[i])
		}
	}
	return ""
}

// checkSpread fails when a reference output is too uniform to test
// anything (every value clamped or equal), which would mean the test's
// quantization parameters are wrong rather than the kernel right.
func checkSpread[T int8 | uint8](t *testing.T, want []T) {
	t.Helper()
	seen := map[T]bool{}
	for _, v := range want {
		seen[v] = true
	}
	if len(want) >= 64 && len(seen) < 8 {
		t.Fatalf("reference output has only %d distinct values in %d; the test problem is degenerate", len(seen), len(want))
	}
}
