package optest

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

var poolTable = []convGeom{
	{1, 4, 4, 3, 2, 2, 2, 2, 1, 1, schema.PaddingValid},
	{1, 5, 7, 2, 3, 3, 1, 1, 1, 1, schema.PaddingSame},
	{2, 6, 5, 4, 3, 2, 2, 1, 1, 1, schema.PaddingSame},
	{1, 7, 7, 8, 7, 7, 1, 1, 1, 1, schema.PaddingValid},
	{1, 9, 8, 5, 3, 3, 2, 2, 1, 1, schema.PaddingSame},
	{1, 3, 8, 1, 1, 4, 1, 3, 1, 1, schema.PaddingValid},
}

func poolName(g convGeom) string {
	return fmt.Sprintf("in%dx%dx%dx%d_f%dx%d_s%dx%d_%s", g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, padName(g.pad))
}

func poolCases() []opCase {
	var cs []opCase
	for _, avg := range []bool{true, false} {
		op := "MAX_POOL_2D"
		if avg {
			op = "AVERAGE_POOL_2D"
		}
		for _, d := range []dtype{f32, u8, i8, i16} {
			for _, act := range allActs {
				for _, g := range poolTable {
					cs = append(cs, opCase{op: op, dtype: d.name, act: actNames[act], params: poolName(g),
						build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildPool(r, d, act, g, avg) }})
				}
			}
		}
	}
	return cs
}

// buildPool builds AVERAGE_POOL_2D or MAX_POOL_2D. The window counts only
// the positions inside the input; quantized output keeps the input's
// quantization (TFLite requires it), so MAX_POOL must match exactly.
func buildPool(r *rand.Rand, d dtype, act schema.Activation, g convGeom, avg bool) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, []int{g.n, g.h, g.w, g.c}, -3, 7)
	x := in.real()
	oh, ow, pt, pl := g.out()
	real := make([]float64, g.n*oh*ow*g.c)
	// TFLite averages the raw codes, rounding half away from zero; the
	// exact result rounds the real mean, so exact ties may differ.
	alt := make([]int32, len(real))
	for n := range g.n {
		for y := range oh {
			for xo := range ow {
				for c := range g.c {
					sum, cnt, mx, qsum := 0.0, 0, math.Inf(-1), int32(0)
					for ky := range g.kh {
						for kx := range g.kw {
							iy, ix := y*g.sh-pt+ky, xo*g.sw-pl+kx
							if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
								continue
							}
							j := ((n*g.h+iy)*g.w+ix)*g.c + c
							v := x[j]
							if !d.float() {
								qsum += in.q[j]
							}
							sum += v
							cnt++
							mx = max(mx, v)
						}
					}
					v := mx
					if avg {
						v = sum / float64(cnt)
					}
					real[((n*oh+y)*ow+xo)*g.c+c] = v
					if avg && !d.float() {
						alt[((n*oh+y)*ow+xo)*g.c+c] = roundDiv(qsum, int32(cnt))
					}
				}
			}
		}
	}
	out := in.like([]int{g.n, oh, ow, g.c})
	gr := NewGraph()
	op := schema.OpMaxPool2D
	if avg {
		op = schema.OpAveragePool2D
	}
	gr.Op(op, []int32{gr.in(in)}, []int32{gr.out(out)}, &schema.Pool2DOptions{Padding: g.pad,
		StrideW: int32(g.sw), StrideH: int32(g.sh), FilterWidth: int32(g.kw), FilterHeight: int32(g.kh), Activation: act})
	w := want{out: out, real: real, act: act, exact: true}
	if avg && !d.float() {
		w.alt = alt
	}
	return gr, []*tensor{in}, []want{w}
}

type meanCase struct {
	in   []int
	axes []int
	keep bool
}

var meanTable = []meanCase{
	{[]int{1, 5, 6, 3}, []int{1, 2}, true}, // global average pool, TFLite's H,W path
	{[]int{2, 4, 4, 8}, []int{1, 2}, true},
	{[]int{1, 7, 3, 5}, []int{2, 1}, false},
	{[]int{1, 4, 5, 6}, []int{-1}, false},
	{[]int{3, 4, 5}, []int{0, 2}, true},
	{[]int{2, 3, 4, 5}, []int{0, 1, 2, 3}, false},
	{[]int{6, 7}, []int{0}, false},
}

func meanCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8, i16} {
		for _, p := range meanTable {
			name := fmt.Sprintf("in%v_axes%v", p.in, p.axes)
			if p.keep {
				name += "_keepdims"
			}
			cs = append(cs, opCase{op: "MEAN", dtype: d.name, act: "none", params: name,
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildMean(r, d, p) }})
		}
	}
	return cs
}

func buildMean(r *rand.Rand, d dtype, p meanCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, -1, 3)
	rank := len(p.in)
	red := make([]bool, rank)
	for _, a := range p.axes {
		red[(a+rank)%rank] = true
	}
	var shape []int
	for i, n := range p.in {
		switch {
		case !red[i]:
			shape = append(shape, n)
		case p.keep:
			shape = append(shape, 1)
		}
	}
	outShape := shape
	if shape == nil {
		outShape = []int{}
	}
	// Sum every input element into the output element it reduces to.
	sum := make([]float64, numel(outShape))
	qsum := make([]int32, len(sum))
	cnt := numel(p.in) / len(sum)
	for i, v := range in.real() {
		idx := unflatten(i, p.in)
		o := 0
		for a, n := range p.in {
			switch {
			case !red[a]:
				o = o*n + idx[a]
			case p.keep:
				o = o*1 + 0
			}
		}
		sum[o] += v
		if !d.float() {
			qsum[o] += in.q[i]
		}
	}
	for i := range sum {
		sum[i] /= float64(cnt)
	}
	out := outTensor(d, outShape, sum)
	if !d.float() {
		// A converter calibrates the output on a data set; widen the
		// range of this one input so the scale differs from the input's.
		out.scales[0], out.zp = qparams(d, slices.Min(sum)-0.3, slices.Max(sum)+0.2)
	}
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(schema.OpMean, []int32{gi, gr.ints(p.axes...)}, []int32{gr.out(out)}, &schema.ReducerOptions{KeepDims: p.keep})
	w := want{out: out, real: sum}
	if !d.float() {
		w.alt = make([]int32, len(sum))
		si, so := in.scales[0], out.scales[0]
		hw := p.keep && len(p.in) == 4 && red[1] && red[2] && !red[0] && !red[3]
		// TFLite's general path folds 1/n into the multiplier of s_in/s_out
		// = f·2^e, moving s = min(⌊log₂ n⌋, 31+e) bits of the shift
		// into it, then applies it to Σq − n·zp_in in two roundings.
		f, e := math.Frexp(si / so)
		sh := min(bits.Len(uint(cnt))-1, 31+e)
		for i, qs := range qsum {
			if hw {
				// TFLite's H,W path rounds the zero-point term on its
				// own: round(Σq·s_in/(n·s_out)) + zp_out − round(zp_in·s_in/s_out).
				w.alt[i] = int32(math.Round(float64(qs)*si/(float64(cnt)*so))) + out.zp - int32(math.Round(float64(in.zp)*si/so))
				continue
			}
			w.alt[i] = out.zp + mbqm(qs-in.zp*int32(cnt), math.Ldexp(f, sh)/float64(cnt), e-sh)
		}
	}
	return gr, []*tensor{in}, []want{w}
}

// roundDiv divides rounding half away from zero.
func roundDiv(a, b int32) int32 {
	if a >= 0 {
		return (a + b/2) / b
	}
	return (a - b/2) / b
}
