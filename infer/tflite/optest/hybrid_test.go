package optest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// hybrid is the dtype label of dynamic-range quantized ops: float32
// activations, int8 weights.
const hybrid = "float32×int8"

// symQuant is TFLite's documented symmetric input quantization of hybrid
// kernels: codes round(v·127/r), r = max |v| (float32 arithmetic).
func symQuant(v []float32) (codes []int32, scale float64) {
	var r float32
	for _, x := range v {
		r = max(r, float32(math.Abs(float64(x))))
	}
	codes = make([]int32, len(v))
	if r == 0 {
		return codes, 1
	}
	inv := float32(127) / r
	for i, x := range v {
		codes[i] = min(max(int32(math.Round(float64(x*inv))), -127), 127)
	}
	return codes, float64(r / 127)
}

// asymQuant is TFLite's documented asymmetric quantization: range
// [min(0, lo), max(0, hi)] onto [−128, 127] in double, zero point rounded.
func asymQuant(v []float32) (codes []int32, scale float64, zp int32) {
	lo, hi := float32(0), float32(0)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	codes = make([]int32, len(v))
	if lo == hi {
		return codes, 1, 0
	}
	s := (float64(hi) - float64(lo)) / 255
	zmin, zmax := -128-float64(lo)/s, 127-float64(hi)/s
	z := zmax
	if 128+math.Abs(float64(lo)/s) < 127+math.Abs(float64(hi)/s) {
		z = zmin
	}
	zp = int32(min(max(math.Round(z), -128), 127))
	inv := 1 / float32(s)
	for i, x := range v {
		codes[i] = min(max(int32(math.Round(float64(float32(zp)+x*inv))), -128), 127)
	}
	return codes, float64(float32(s)), zp
}

// requantized returns the real values the hybrid kernel sees: the input
// quantized per group of size elements.
func requantized(x []float32, size int, asym bool) []float64 {
	out := make([]float64, len(x))
	for o := 0; o < len(x); o += size {
		var codes []int32
		var s float64
		var zp int32
		if asym {
			codes, s, zp = asymQuant(x[o : o+size])
		} else {
			codes, s = symQuant(x[o : o+size])
		}
		for i, c := range codes {
			out[o+i] = s * float64(c-zp)
		}
	}
	return out
}

func hybridCases() []opCase {
	var cs []opCase
	for _, act := range allActs {
		for _, p := range convTable {
			for _, perTensor := range []bool{false, true} {
				name := p.String()
				if perTensor {
					name += "_pertensor"
				}
				cs = append(cs, opCase{op: "CONV_2D", dtype: hybrid, act: actNames[act], params: name,
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildHybridConv(r, act, p, 0, perTensor) }})
			}
		}
		for _, p := range depthwiseTable {
			cs = append(cs, opCase{op: "DEPTHWISE_CONV_2D", dtype: hybrid, act: actNames[act], params: fmt.Sprintf("%s_m%d", p.g, p.mult),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					return buildHybridConv(r, act, convCase{g: p.g, oc: p.g.c * p.mult}, p.mult, false)
				}})
		}
		for _, p := range fcTable {
			for _, asym := range []bool{false, true} {
				cs = append(cs, opCase{op: "FULLY_CONNECTED", dtype: hybrid, act: actNames[act], params: fmt.Sprintf("%s_asym%v", p, asym),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildHybridFC(r, act, p, asym) }})
			}
		}
	}
	return cs
}

func buildHybridConv(r *rand.Rand, act schema.Activation, p convCase, mult int, perTensor bool) (*Graph, []*tensor, []want) {
	g := p.g
	in := randTensor(r, f32, []int{g.n, g.h, g.w, g.c}, inLo, inHi)
	wshape, axis, fanIn := []int{p.oc, g.kh, g.kw, g.c}, 0, g.kh*g.kw*g.c
	if mult > 0 {
		wshape, axis, fanIn = []int{1, g.kh, g.kw, p.oc}, 3, g.kh*g.kw
	}
	w := randWeights(r, i8, wshape, axis, weightLim(fanIn), perTensor)
	var b *tensor
	var breal []float64
	if !p.noBias {
		b = randTensor(r, f32, []int{p.oc}, -1, 1)
		breal = b.real()
	}
	// Per-channel filters (and every depthwise one) quantize the input
	// asymmetrically, per-tensor ones symmetrically; one group per image.
	x := requantized(in.f, g.h*g.w*g.c, mult > 0 || !perTensor)
	real, shape := convRef(x, g, p.oc, mult, w.real(), breal)
	out := &tensor{d: f32, shape: shape}
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
	return gr, []*tensor{in}, []want{{out: out, real: real, act: act}}
}

func buildHybridFC(r *rand.Rand, act schema.Activation, p fcCase, asym bool) (*Graph, []*tensor, []want) {
	in := randTensor(r, f32, p.in, inLo, inHi)
	depth := p.in[len(p.in)-1]
	batches := numel(p.in) / depth
	w := randWeights(r, i8, []int{p.units, depth}, 0, weightLim(depth), p.perTensor)
	var b *tensor
	if !p.noBias {
		b = randTensor(r, f32, []int{p.units}, -1, 1)
	}
	x, wr := requantized(in.f, depth, asym), w.real()
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
	out := &tensor{d: f32, shape: shape}
	gr := NewGraph()
	ops := []int32{gr.in(in), gr.konst(w), -1}
	if b != nil {
		ops[2] = gr.konst(b)
	}
	gr.Op(schema.OpFullyConnected, ops, []int32{gr.out(out)}, &schema.FullyConnectedOptions{Activation: act, KeepNumDims: p.keepDims, AsymmetricQuantizeInputs: asym})
	return gr, []*tensor{in}, []want{{out: out, real: real, act: act}}
}

var bmmTable = []struct {
	l, r       []int
	adjX, adjY bool
}{
	{[]int{2, 3}, []int{3, 4}, false, false},
	{[]int{2, 5, 3}, []int{2, 3, 4}, false, false},
	{[]int{1, 4, 6}, []int{2, 6}, false, true},
	{[]int{3, 6, 4}, []int{1, 6, 5}, true, false},
	{[]int{2, 1, 3, 8}, []int{3, 8, 2}, false, false},
	{[]int{4, 16}, []int{16, 9}, false, false},
}

// bmmRef multiplies with batch broadcasting; lhs and rhs real values.
func bmmRef(x, y []float64, ls, rs []int, adjX, adjY bool) ([]float64, []int) {
	lr, rr := len(ls), len(rs)
	m, k := ls[lr-2], ls[lr-1]
	if adjX {
		m, k = k, m
	}
	n := rs[rr-1]
	if adjY {
		n = rs[rr-2]
	}
	batch := broadcastShape(ls[:lr-2], rs[:rr-2])
	shape := append(append([]int(nil), batch...), m, n)
	out := make([]float64, numel(shape))
	for i := range out {
		idx := unflatten(i, shape)
		bi := idx[:len(batch)]
		lb := broadcastIndex(bi, ls[:lr-2], batch)
		rb := broadcastIndex(bi, rs[:rr-2], batch)
		mi, ni := idx[len(batch)], idx[len(batch)+1]
		s := 0.0
		for kk := range k {
			li := lb*m*k + mi*k + kk
			if adjX {
				li = lb*m*k + kk*m + mi
			}
			ri := rb*k*n + kk*n + ni
			if adjY {
				ri = rb*k*n + ni*k + kk
			}
			s += x[li] * y[ri]
		}
		out[i] = s
	}
	return out, shape
}

func batchMatMulCases() []opCase {
	var cs []opCase
	for _, d := range []string{"float32", "int8", hybrid, hybrid + "_asym"} {
		for _, p := range bmmTable {
			dt := d
			if d == hybrid+"_asym" {
				dt = hybrid
			}
			cs = append(cs, opCase{op: "BATCH_MATMUL", dtype: dt, act: "none", params: fmt.Sprintf("%v_%v_adj%v%v_%s", p.l, p.r, p.adjX, p.adjY, d),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					g := NewGraph()
					opts := &schema.BatchMatMulOptions{AdjX: p.adjX, AdjY: p.adjY, AsymmetricQuantizeInputs: d == hybrid+"_asym"}
					switch d {
					case "float32", "int8":
						dd := f32
						if d == "int8" {
							dd = i8
						}
						a := randTensor(r, dd, p.l, -2, 3)
						b := randTensor(r, dd, p.r, -1.5, 1)
						real, shape := bmmRef(a.real(), b.real(), p.l, p.r, p.adjX, p.adjY)
						out := outTensor(dd, shape, real)
						ia, ib := g.in(a), g.in(b)
						g.Op(schema.OpBatchMatMul, []int32{ia, ib}, []int32{g.out(out)}, opts)
						return g, []*tensor{a, b}, []want{{out: out, real: real}}
					}
					a := randTensor(r, f32, p.l, -2, 3)
					b := randWeights(r, i8, p.r, 0, 1, true)
					k := p.l[len(p.l)-1]
					var x []float64
					if p.adjX {
						// TFLite quantizes rows of the transposed lhs.
						t := transposeLast(a.f, p.l)
						xq := requantized(t, p.l[len(p.l)-2], opts.AsymmetricQuantizeInputs)
						x = transposeLastF64(xq, swapLast(p.l))
					} else {
						x = requantized(a.f, k, opts.AsymmetricQuantizeInputs)
					}
					real, shape := bmmRef(x, b.real(), p.l, p.r, p.adjX, p.adjY)
					out := &tensor{d: f32, shape: shape}
					ia := g.in(a)
					g.Op(schema.OpBatchMatMul, []int32{ia, g.konst(b)}, []int32{g.out(out)}, opts)
					return g, []*tensor{a}, []want{{out: out, real: real}}
				}})
		}
	}
	return cs
}

func swapLast(s []int) []int {
	t := append([]int(nil), s...)
	t[len(t)-1], t[len(t)-2] = t[len(t)-2], t[len(t)-1]
	return t
}

// transposeLast swaps the last two axes of v (shape s).
func transposeLast(v []float32, s []int) []float32 {
	r, c := s[len(s)-2], s[len(s)-1]
	out := make([]float32, len(v))
	for b := 0; b < len(v)/(r*c); b++ {
		for i := range r {
			for j := range c {
				out[b*r*c+j*r+i] = v[b*r*c+i*c+j]
			}
		}
	}
	return out
}

func transposeLastF64(v []float64, s []int) []float64 {
	r, c := s[len(s)-2], s[len(s)-1]
	out := make([]float64, len(v))
	for b := 0; b < len(v)/(r*c); b++ {
		for i := range r {
			for j := range c {
				out[b*r*c+j*r+i] = v[b*r*c+i*c+j]
			}
		}
	}
	return out
}
