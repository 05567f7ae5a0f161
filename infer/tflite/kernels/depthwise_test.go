package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

var depthwiseCases = []convCase{
	{name: "3x3/s1/same", p: geom(1, 9, 8, 16, 16, 3, 3, 1, 1, 1, true)},
	{name: "3x3/s2/same/odd", p: geom(1, 11, 9, 13, 13, 3, 3, 2, 1, 1, true), perChannel: true, halfUp: true},
	{name: "3x3/s2/valid", p: geom(2, 10, 10, 8, 8, 3, 3, 2, 1, 1, false), relu: true},
	{name: "3x3/d2/same", p: geom(1, 10, 9, 6, 6, 3, 3, 1, 2, 1, true), perChannel: true, relu: true},
	{name: "3x3/dm2", p: geom(1, 7, 7, 5, 10, 3, 3, 1, 1, 2, true), perChannel: true},
	{name: "5x5/s1/same/dm3", p: geom(1, 9, 11, 3, 9, 5, 5, 1, 1, 3, true), halfUp: true},
	{name: "1x1/s1", p: geom(1, 5, 5, 7, 7, 1, 1, 1, 1, 1, false), relu: true},
	{name: "2x3/s2/valid/dm2", p: geom(1, 8, 9, 4, 8, 2, 3, 2, 1, 2, false), perChannel: true, halfUp: true},
	{name: "3x3/ties/halfup", p: geom(1, 8, 8, 16, 16, 3, 3, 1, 1, 1, true), halfUp: true, pow2: 5},
	{name: "3x3/ties/ref", p: geom(1, 8, 8, 16, 16, 3, 3, 2, 1, 1, true), pow2: 5},
	{name: "3x3/tiny", p: geom(1, 2, 1, 33, 33, 3, 3, 1, 1, 1, true)},
	// Multiples of 8 channels: the SIMD paths' assembly runs the interior.
	{name: "3x3/s1/c40", p: geom(1, 12, 21, 40, 40, 3, 3, 1, 1, 1, true), perChannel: true, halfUp: true},
	{name: "3x3/s2/c32/valid", p: geom(2, 9, 30, 32, 32, 3, 3, 2, 1, 1, false), relu: true},
	{name: "3x3/d2/c24", p: geom(1, 11, 12, 24, 24, 3, 3, 1, 2, 1, true), perChannel: true},
	{name: "3x3/ties/c8", p: geom(1, 9, 19, 8, 8, 3, 3, 1, 1, 1, true), pow2: 4},
	// Multiples of 16 channels: the vnni path's AVX-512 kernels run the
	// interior and the borders (depthwise512.go); small maps where most
	// or all pixels are border ones, interior runs longer and shorter
	// than dwChunk, strides 1–3, dilation 2–3. 8 more than a multiple of
	// 16 (c72) keeps the 8-lane kernels on the vnni path.
	{name: "3x3/c16/1x1", p: geom(1, 1, 1, 16, 16, 3, 3, 1, 1, 1, true), perChannel: true},
	{name: "3x3/c32/2x2", p: geom(1, 2, 2, 32, 32, 3, 3, 1, 1, 1, true), halfUp: true},
	{name: "3x3/c16/3x3/s2", p: geom(1, 3, 3, 16, 16, 3, 3, 2, 1, 1, true), relu: true},
	{name: "3x3/c48/5x4/s2", p: geom(1, 5, 4, 48, 48, 3, 3, 2, 1, 1, true), perChannel: true, halfUp: true},
	{name: "3x3/c48/7x7", p: geom(1, 7, 7, 48, 48, 3, 3, 1, 1, 1, true), perChannel: true},
	{name: "3x3/c80/14x14/s2", p: geom(1, 14, 14, 80, 80, 3, 3, 2, 1, 1, true), perChannel: true, halfUp: true},
	{name: "3x3/c64/s2/valid/odd", p: geom(1, 13, 11, 64, 64, 3, 3, 2, 1, 1, false), relu: true},
	{name: "3x3/c32/s1/wide", p: geom(2, 5, 27, 32, 32, 3, 3, 1, 1, 1, true), pow2: 6},
	{name: "3x3/c32/s3", p: geom(1, 10, 10, 32, 32, 3, 3, 3, 1, 1, true), perChannel: true},
	{name: "3x3/c32/d2", p: geom(1, 7, 9, 32, 32, 3, 3, 1, 2, 1, true), halfUp: true},
	{name: "3x3/c32/s2d2", p: geom(1, 11, 12, 32, 32, 3, 3, 2, 2, 1, true), relu: true},
	{name: "3x3/c16/d3/valid", p: geom(1, 10, 12, 16, 16, 3, 3, 1, 3, 1, false), perChannel: true},
	{name: "3x3/c72/6x5", p: geom(1, 6, 5, 72, 72, 3, 3, 1, 1, 1, true), perChannel: true, relu: true},
	// The arm64 kernels (8 channels per group): one group on a 14x14 map,
	// 7 groups, a map of border pixels only.
	{name: "3x3/c8/14x14/s2/valid", p: geom(1, 14, 14, 8, 8, 3, 3, 2, 1, 1, false), perChannel: true},
	{name: "3x3/c56/4x9", p: geom(1, 4, 9, 56, 56, 3, 3, 1, 1, 1, true), relu: true},
	{name: "3x3/c24/1x1/s2", p: geom(1, 1, 1, 24, 24, 3, 3, 2, 1, 1, true), halfUp: true},
}

func TestDepthwiseQuantMatchesNaive(t *testing.T) {
	for i, tc := range depthwiseCases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(i), 2))
			p := tc.p
			if err := CheckConv(&p, true); err != nil {
				t.Fatalf("CheckConv: %v", err)
			}
			taps := p.KH * p.KW
			t.Run("uint8", func(t *testing.T) {
				nq := tc.quant(r, p.OutC, taps, false)
				in := randBytes[uint8](r, p.N*p.InH*p.InW*p.InC)
				f := randBytes[uint8](r, taps*p.OutC)
				bias := randBias(r, p.OutC, 2000)
				want := naiveConvQuant(&p, true, in, f, bias, nq)
				checkSpread(t, want)
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2, 3} {
						pool := NewPool(workers)
						got := make([]uint8, len(want))
						DepthwiseUint8(&p, in, f, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("DepthwiseUint8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("int8", func(t *testing.T) {
				nq := tc.quant(r, p.OutC, taps, true)
				in := randBytes[int8](r, p.N*p.InH*p.InW*p.InC)
				f := randBytes[int8](r, taps*p.OutC)
				bias := randBias(r, p.OutC, 2000)
				if tc.relu {
					bias = nil
				}
				want := naiveConvQuant(&p, true, in, f, bias, nq)
				checkSpread(t, want)
				if pd := PackDepthwiseInt8(&p, f, bias, nq.params()); pd.fast != (p.DepthMultiplier == 1) {
					t.Errorf("PackDepthwiseInt8: fast = %v; want %v", pd.fast, p.DepthMultiplier == 1)
				}
				forEachPath(t, func(path Path) {
					for _, workers := range []int{1, 2, 3} {
						pool := NewPool(workers)
						got := make([]int8, len(want))
						DepthwiseInt8(&p, in, f, bias, got, nq.params(), nil, pool)
						pool.Close()
						if d := firstDiff(&p, got, want); d != "" {
							t.Errorf("DepthwiseInt8 (%v, %d workers): %s", path, workers, d)
						}
					}
				})
			})
			t.Run("float32", func(t *testing.T) {
				in := randFloats(r, p.N*p.InH*p.InW*p.InC)
				f := randFloats(r, taps*p.OutC)
				bias := randFloats(r, p.OutC)
				lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
				if tc.relu {
					lo, hi = 0, 6
				}
				want := naiveConvFloat(&p, true, in, f, bias, lo, hi)
				got := make([]float32, len(want))
				DepthwiseFloat32(&p, in, f, bias, got, lo, hi, nil, NewPool(1))
				checkFloats(t, "DepthwiseFloat32", got, want, taps)
			})
		})
	}
}
