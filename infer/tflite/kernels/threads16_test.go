package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestInt16AndHybridSplitMatchSingle runs the 16x8 conv, depthwise and
// FC and the hybrid conv and depthwise on pools of 2 and 3 workers and checks the
// output equals the single-threaded one (whose arithmetic the optest
// tables and the 16x8 goldens check) on shapes with fewer, equal and more
// rows than workers.
func TestInt16AndHybridSplitMatchSingle(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 8))
	shapes := []ConvParams{
		geom(1, 1, 1, 8, 8, 3, 3, 1, 1, 1, true),
		geom(1, 3, 5, 16, 16, 3, 3, 1, 1, 1, true),
		geom(2, 9, 7, 8, 8, 3, 3, 2, 1, 1, true),
		geom(1, 12, 12, 4, 4, 3, 3, 1, 2, 1, false),
	}
	pools := []*Pool{NewPool(2), NewPool(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	for i, p := range shapes {
		in := make([]int16, p.N*p.InH*p.InW*p.InC)
		for k := range in {
			in[k] = int16(r.IntN(65536) - 32768)
		}
		dw := randBytes[int8](r, p.KH*p.KW*p.OutC)
		cf := randBytes[int8](r, p.OutC*p.KH*p.KW*p.InC)
		bias := make([]int64, p.OutC)
		for k := range bias {
			bias[k] = r.Int64N(1<<20) - 1<<19
		}
		q := &Quant16Params{Multiplier: []int32{1<<30 + 12345}, Shift: []int{-18}, ActMin: -32768, ActMax: 32767}
		out := p.N * p.OutH * p.OutW * p.OutC
		wantDW, wantConv := make([]int16, out), make([]int16, out)
		ConvInt16(&p, true, in, dw, bias, wantDW, q, nil, nil)
		ConvInt16(&p, false, in, cf, bias, wantConv, q, nil, nil)
		units, depth := p.OutC, p.InH*p.InW*p.InC
		wantFC := make([]int16, p.N*units)
		fw := randBytes[int8](r, units*depth)
		FullyConnectedInt16(p.N, depth, units, in, fw, 3, bias, wantFC, q, nil, nil)

		hq := make([]int32, len(in))
		for k := range hq {
			hq[k] = int32(r.IntN(255) - 127)
		}
		zps := []int32{3, -5}
		scales := []float32{0.02, 0.5}
		wScale := randFloats(r, p.OutC)
		fbias := randFloats(r, p.OutC)
		wantH := make([]float32, out)
		HybridDepthwise(&p, hq, scales, zps, dw, wScale, fbias, wantH, -4, 4, nil, nil)
		hf := PackHybrid(p.OutC, p.KH*p.KW*p.InC, cf)
		wantHC := make([]float32, out)
		HybridConv(&p, hq, scales, zps, hf, wScale, fbias, wantHC, -4, 4, nil, nil)

		for _, pool := range pools {
			s := NewScratch(0)
			got := make([]int16, out)
			ConvInt16(&p, true, in, dw, bias, got, q, s, pool)
			if !slices.Equal(got, wantDW) {
				t.Errorf("shape %d, %d workers: depthwise 16x8 differs from one worker", i, pool.Workers())
			}
			ConvInt16(&p, false, in, cf, bias, got, q, s, pool)
			if !slices.Equal(got, wantConv) {
				t.Errorf("shape %d, %d workers: conv 16x8 differs from one worker", i, pool.Workers())
			}
			gotFC := make([]int16, len(wantFC))
			FullyConnectedInt16(p.N, depth, units, in, fw, 3, bias, gotFC, q, s, pool)
			if !slices.Equal(gotFC, wantFC) {
				t.Errorf("shape %d, %d workers: FC 16x8 differs from one worker", i, pool.Workers())
			}
			gotH := make([]float32, out)
			HybridDepthwise(&p, hq, scales, zps, dw, wScale, fbias, gotH, -4, 4, s, pool)
			if !slices.Equal(gotH, wantH) {
				t.Errorf("shape %d, %d workers: hybrid depthwise differs from one worker", i, pool.Workers())
			}
			s = NewScratch(HybridConvScratchSize(hf, pool.Workers()))
			HybridConv(&p, hq, scales, zps, hf, wScale, fbias, gotH, -4, 4, s, pool)
			if !slices.Equal(gotH, wantHC) {
				t.Errorf("shape %d, %d workers: hybrid conv differs from one worker", i, pool.Workers())
			}
			if n := testing.AllocsPerRun(10, func() { HybridConv(&p, hq, scales, zps, hf, wScale, fbias, gotH, -4, 4, s, pool) }); n != 0 {
				t.Errorf("shape %d, %d workers: HybridConv allocates %v times per call; want 0", i, pool.Workers(), n)
			}
			if n := testing.AllocsPerRun(10, func() { ConvInt16(&p, true, in, dw, bias, got, q, s, pool) }); n != 0 {
				t.Errorf("shape %d, %d workers: ConvInt16 allocates %v times per call; want 0", i, pool.Workers(), n)
			}
		}
	}
}
