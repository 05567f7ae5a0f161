package optest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// outSize is the output length and leading pad of a window of k taps
// (dilation d) sliding with stride s over in positions.
func outSize(pad schema.Padding, in, k, s, d int) (out, before int) {
	eff := (k-1)*d + 1
	if pad == schema.PaddingSame {
		out = (in + s - 1) / s
	} else {
		out = max((in-eff)/s+1, 0)
		if in < eff {
			out = 0
		}
	}
	return out, max((out-1)*s+eff-in, 0) / 2
}

// convGeom is the geometry of a convolution or pooling window over an
// NHWC input.
type convGeom struct {
	n, h, w, c     int
	kh, kw         int
	sh, sw, dh, dw int
	pad            schema.Padding
}

func (g convGeom) out() (oh, ow, pt, pl int) {
	oh, pt = outSize(g.pad, g.h, g.kh, g.sh, g.dh)
	ow, pl = outSize(g.pad, g.w, g.kw, g.sw, g.dw)
	return
}

func padName(p schema.Padding) string {
	if p == schema.PaddingSame {
		return "same"
	}
	return "valid"
}

func (g convGeom) String() string {
	return fmt.Sprintf("in%dx%dx%dx%d_k%dx%d_s%dx%d_d%dx%d_%s", g.n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, padName(g.pad))
}

// convRef is CONV_2D (mult = 0, filter [O,KH,KW,C]) or DEPTHWISE_CONV_2D
// (mult ≥ 1, filter [1,KH,KW,C·mult]) on real values, before the
// activation. Taps outside the input contribute nothing.
func convRef(in []float64, g convGeom, oc, mult int, w, b []float64) ([]float64, []int) {
	oh, ow, pt, pl := g.out()
	out := make([]float64, g.n*oh*ow*oc)
	for n := range g.n {
		for y := range oh {
			for x := range ow {
				for o := range oc {
					sum := 0.0
					if b != nil {
						sum = b[o]
					}
					for ky := range g.kh {
						iy := y*g.sh - pt + ky*g.dh
						if iy < 0 || iy >= g.h {
							continue
						}
						for kx := range g.kw {
							ix := x*g.sw - pl + kx*g.dw
							if ix < 0 || ix >= g.w {
								continue
							}
							base := ((n*g.h+iy)*g.w + ix) * g.c
							if mult > 0 {
								sum += in[base+o/mult] * w[(ky*g.kw+kx)*oc+o]
								continue
							}
							for c := range g.c {
								sum += in[base+c] * w[((o*g.kh+ky)*g.kw+kx)*g.c+c]
							}
						}
					}
					out[((n*oh+y)*ow+x)*oc+o] = sum
				}
			}
		}
	}
	return out, []int{g.n, oh, ow, oc}
}

// Input range of the weighted ops: asymmetric, so zero points are not
// trivial.
const inLo, inHi = -2.0, 4.0

// weightLim scales weights so outputs have an rms of about 4: the fused
// activations (0, 6, ±1) then clamp a real share of the elements.
func weightLim(fanIn int) float64 { return 3.5 / math.Sqrt(float64(fanIn)) }

type convCase struct {
	g      convGeom
	oc     int
	noBias bool
}

var convTable = []convCase{
	{g: convGeom{1, 5, 5, 3, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, oc: 4},
	{g: convGeom{1, 7, 6, 2, 3, 2, 2, 2, 1, 1, schema.PaddingValid}, oc: 3},
	{g: convGeom{2, 4, 5, 4, 1, 1, 1, 1, 1, 1, schema.PaddingValid}, oc: 5, noBias: true},
	{g: convGeom{1, 9, 9, 3, 3, 3, 1, 1, 2, 2, schema.PaddingSame}, oc: 2},
	{g: convGeom{1, 6, 7, 5, 5, 3, 2, 1, 1, 1, schema.PaddingSame}, oc: 6},
	{g: convGeom{1, 10, 10, 8, 3, 3, 2, 2, 1, 1, schema.PaddingSame}, oc: 16},
	{g: convGeom{1, 8, 9, 1, 2, 3, 3, 2, 2, 1, schema.PaddingValid}, oc: 7},
	{g: convGeom{1, 16, 16, 32, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, oc: 64}, // several GEMM tiles
}

func (c convCase) String() string {
	s := fmt.Sprintf("%s_o%d", c.g, c.oc)
	if c.noBias {
		s += "_nobias"
	}
	return s
}

func convCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8, i16} {
		for _, act := range allActs {
			for _, p := range convTable {
				cs = append(cs, opCase{op: "CONV_2D", dtype: d.name, act: actNames[act], params: p.String(),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildConv(r, d, act, p, 0) }})
			}
		}
	}
	return cs
}

type dwCase struct {
	g    convGeom
	mult int
}

var depthwiseTable = []dwCase{
	{convGeom{1, 5, 5, 3, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, 1},
	{convGeom{1, 5, 5, 3, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, 2},
	{convGeom{1, 8, 7, 4, 3, 3, 2, 2, 1, 1, schema.PaddingSame}, 1},
	{convGeom{1, 8, 7, 4, 3, 3, 2, 2, 1, 1, schema.PaddingValid}, 2},
	{convGeom{2, 6, 6, 5, 2, 3, 1, 2, 1, 1, schema.PaddingValid}, 1},
	{convGeom{1, 9, 9, 2, 3, 3, 1, 1, 2, 2, schema.PaddingSame}, 2},
	{convGeom{1, 10, 9, 16, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, 1},
	{convGeom{1, 7, 7, 8, 5, 5, 2, 2, 1, 1, schema.PaddingSame}, 2},
	{convGeom{1, 11, 6, 3, 3, 1, 3, 1, 3, 1, schema.PaddingValid}, 1},
	{convGeom{1, 4, 4, 1, 4, 4, 1, 1, 1, 1, schema.PaddingValid}, 2},
	{convGeom{1, 14, 14, 64, 3, 3, 2, 2, 1, 1, schema.PaddingSame}, 1},
	{convGeom{1, 12, 12, 24, 3, 3, 1, 1, 1, 1, schema.PaddingSame}, 2},
}

func depthwiseCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8, i16} {
		for _, act := range allActs {
			for _, p := range depthwiseTable {
				cs = append(cs, opCase{op: "DEPTHWISE_CONV_2D", dtype: d.name, act: actNames[act],
					params: fmt.Sprintf("%s_m%d", p.g, p.mult),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
						return buildConv(r, d, act, convCase{g: p.g, oc: p.g.c * p.mult}, p.mult)
					}})
			}
		}
	}
	return cs
}

// buildConv builds CONV_2D (mult = 0) or DEPTHWISE_CONV_2D.
func buildConv(r *rand.Rand, d dtype, act schema.Activation, p convCase, mult int) (*Graph, []*tensor, []want) {
	g := p.g
	in := randTensor(r, d, []int{g.n, g.h, g.w, g.c}, inLo, inHi)
	wshape, axis, fanIn := []int{p.oc, g.kh, g.kw, g.c}, 0, g.kh*g.kw*g.c
	if mult > 0 {
		wshape, axis, fanIn = []int{1, g.kh, g.kw, p.oc}, 3, g.kh*g.kw
	}
	w := randWeights(r, d, wshape, axis, weightLim(fanIn), false)
	var b *tensor
	var breal []float64
	if !p.noBias {
		b = randBias(r, in, w, p.oc, 1)
		breal = b.real()
	}
	real, shape := convRef(in.real(), g, p.oc, mult, w.real(), breal)
	out := outTensor(d, shape, real)

	gr := NewGraph()
	ops := []int32{gr.in(in), gr.konst(w), -1}
	if b != nil {
		ops[2] = gr.konst(b)
	}
	o := gr.out(out)
	if mult > 0 {
		gr.Op(schema.OpDepthwiseConv2D, ops, []int32{o}, &schema.DepthwiseConv2DOptions{Padding: g.pad,
			StrideW: int32(g.sw), StrideH: int32(g.sh), DilationW: int32(g.dw), DilationH: int32(g.dh),
			DepthMultiplier: int32(mult), Activation: act})
	} else {
		gr.Op(schema.OpConv2D, ops, []int32{o}, &schema.Conv2DOptions{Padding: g.pad,
			StrideW: int32(g.sw), StrideH: int32(g.sh), DilationW: int32(g.dw), DilationH: int32(g.dh), Activation: act})
	}
	wt := want{out: out, real: real, act: act}
	if d == i16 {
		wt.alt = alt16x8(real, in, w, out, p.oc, false, p.noBias && mult == 0)
	}
	return gr, []*tensor{in}, []want{wt}
}

type fcCase struct {
	in        []int
	units     int
	keepDims  bool
	perTensor bool // int8 weights with one scale (the converter's default for FC)
	noBias    bool
}

var fcTable = []fcCase{
	{in: []int{1, 8}, units: 4},
	{in: []int{3, 17}, units: 5, perTensor: true},
	{in: []int{1, 2, 2, 6}, units: 3, noBias: true},
	{in: []int{2, 3, 10}, units: 7, keepDims: true},
	{in: []int{1, 64}, units: 10, perTensor: true},
	{in: []int{4, 1, 1, 32}, units: 33, keepDims: true},
	{in: []int{1, 1}, units: 1},
	{in: []int{2, 1024}, units: 100, perTensor: true},
}

func (c fcCase) String() string {
	s := fmt.Sprintf("in%v_u%d", c.in, c.units)
	if c.keepDims {
		s += "_keepdims"
	}
	if c.perTensor {
		s += "_pertensor"
	}
	if c.noBias {
		s += "_nobias"
	}
	return s
}

func fcCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8, i16} {
		for _, act := range allActs {
			for _, p := range fcTable {
				cs = append(cs, opCase{op: "FULLY_CONNECTED", dtype: d.name, act: actNames[act], params: p.String(),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildFC(r, d, act, p) }})
			}
		}
	}
	return cs
}

func buildFC(r *rand.Rand, d dtype, act schema.Activation, p fcCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, inLo, inHi)
	depth := p.in[len(p.in)-1]
	batches := numel(p.in) / depth
	w := randWeights(r, d, []int{p.units, depth}, 0, weightLim(depth), p.perTensor)
	var b *tensor
	if !p.noBias {
		b = randBias(r, in, w, p.units, 1)
	}
	x, wr := in.real(), w.real()
	real := make([]float64, batches*p.units)
	for bi := range batches {
		for u := range p.units {
			sum := 0.0
			if b != nil {
				sum = b.real()[u]
			}
			for k := range depth {
				sum += x[bi*depth+k] * wr[u*depth+k]
			}
			real[bi*p.units+u] = sum
		}
	}
	shape := []int{batches, p.units}
	if p.keepDims {
		shape = append(append([]int(nil), p.in[:len(p.in)-1]...), p.units)
	}
	out := outTensor(d, shape, real)
	gr := NewGraph()
	ops := []int32{gr.in(in), gr.konst(w), -1}
	if b != nil {
		ops[2] = gr.konst(b)
	}
	gr.Op(schema.OpFullyConnected, ops, []int32{gr.out(out)}, &schema.FullyConnectedOptions{Activation: act, KeepNumDims: p.keepDims})
	wt := want{out: out, real: real, act: act}
	if d == i16 {
		wt.alt = alt16x8(real, in, w, out, p.units, true, p.noBias)
	}
	return gr, []*tensor{in}, []want{wt}
}
