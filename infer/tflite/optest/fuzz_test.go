package optest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// fuzzBytes hands out the fuzzer's bytes as small choices; past the end
// every choice is 0.
type fuzzBytes struct {
	b []byte
	i int
}

func (f *fuzzBytes) byte() byte {
	if f.i >= len(f.b) {
		return 0
	}
	f.i++
	return f.b[f.i-1]
}

// n returns a value in [0, n).
func (f *fuzzBytes) n(n int) int { return int(f.byte()) % n }

// in returns a value in [lo, hi].
func (f *fuzzBytes) in(lo, hi int) int { return lo + f.n(hi-lo+1) }

func (f *fuzzBytes) shape(rank, maxDim int) []int {
	s := make([]int, rank)
	for i := range s {
		s[i] = f.in(1, maxDim)
	}
	return s
}

func (f *fuzzBytes) perm(rank int) []int {
	p := make([]int, rank)
	for i := range p {
		p[i] = i
	}
	for i := rank - 1; i > 0; i-- {
		j := f.n(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

func (f *fuzzBytes) geom(maxC, maxK int) convGeom {
	g := convGeom{n: f.in(1, 2), h: f.in(1, 9), w: f.in(1, 9), c: f.in(1, maxC),
		kh: f.in(1, maxK), kw: f.in(1, maxK), sh: f.in(1, 3), sw: f.in(1, 3), dh: f.in(1, 2), dw: f.in(1, 2),
		pad: schema.Padding(f.n(2))}
	if g.pad == schema.PaddingValid && ((g.kh-1)*g.dh+1 > g.h || (g.kw-1)*g.dw+1 > g.w) {
		g.pad = schema.PaddingSame
	}
	return g
}

// fuzzCase turns fuzz bytes into one valid single-op case, or false when
// the op it picks has no case for the dtype it picked.
func fuzzCase(data []byte) (opCase, bool) {
	f := &fuzzBytes{b: data}
	types := []dtype{f32, u8, i8}
	d := types[f.n(3)]
	act := allActs[f.n(4)]
	c := opCase{dtype: d.name, act: actNames[act], params: fmt.Sprintf("%x", data)}
	var build func(r *rand.Rand) (*Graph, []*tensor, []want)
	switch op := f.n(19 + moreFuzzOps); op {
	case 0, 1:
		c.op = "CONV_2D"
		p := convCase{g: f.geom(6, 4), oc: f.in(1, 9), noBias: f.n(4) == 0}
		mult := 0
		if op == 1 {
			c.op = "DEPTHWISE_CONV_2D"
			mult = f.in(1, 3)
			p.oc = p.g.c * mult
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildConv(r, d, act, p, mult) }
	case 2:
		c.op = "FULLY_CONNECTED"
		p := fcCase{in: f.shape(f.in(1, 4), 5), units: f.in(1, 9), keepDims: f.n(2) == 0, perTensor: f.n(2) == 0, noBias: f.n(4) == 0}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildFC(r, d, act, p) }
	case 3, 4:
		c.op = "AVERAGE_POOL_2D"
		if op == 4 {
			c.op = "MAX_POOL_2D"
		}
		g := f.geom(5, 4)
		g.dh, g.dw = 1, 1
		if g.pad == schema.PaddingValid && (g.kh > g.h || g.kw > g.w) {
			g.pad = schema.PaddingSame
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildPool(r, d, act, g, op == 3) }
	case 5:
		c.op, c.act = "MEAN", "none"
		p := meanCase{in: f.shape(f.in(1, 4), 5), keep: f.n(2) == 0}
		for a := range p.in {
			if f.n(2) == 0 {
				p.axes = append(p.axes, a-f.n(2)*len(p.in)) // sometimes negative
			}
		}
		if p.axes == nil {
			p.axes = []int{len(p.in) - 1}
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildMean(r, d, p) }
	case 6, 7:
		c.op = "ADD"
		if op == 7 {
			c.op = "MUL"
		}
		a := f.shape(f.in(1, 4), 4)
		b := append([]int(nil), a[f.n(len(a)):]...)
		for i := range b {
			if f.n(2) == 0 {
				b[i] = 1
			}
		}
		for i := range a {
			if f.n(4) == 0 {
				a[i] = 1
			}
		}
		if f.n(2) == 0 {
			a, b = b, a
		}
		p := binCase{a: a, b: b}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildBinary(r, d, act, p, op == 7) }
	case 8:
		c.op, c.act = "PAD", "none"
		p := padCase{in: f.shape(f.in(1, 5), 4)}
		for range p.in {
			p.pads = append(p.pads, f.n(3), f.n(3))
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildPad(r, d, p) }
	case 9:
		c.op, c.act = "RESHAPE", "none"
		in := f.shape(f.in(1, 4), 4)
		p := reshapeCase{in: in, want: f.perm(len(in)), how: []string{"options", "tensor", "declared"}[f.n(3)]}
		for i, a := range p.want {
			p.want[i] = in[a]
		}
		if p.how != "declared" && f.n(2) == 0 {
			p.want[f.n(len(p.want))] = -1
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildReshape(r, d, p) }
	case 10:
		c.op, c.act = "TRANSPOSE", "none"
		p := transposeCase{in: f.shape(f.in(1, 6), 3)}
		p.perm = f.perm(len(p.in))
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildTranspose(r, d, p) }
	case 11:
		c.op = "CONCATENATION"
		if !d.float() {
			act, c.act = schema.ActNone, "none"
		}
		first := f.shape(f.in(1, 4), 4)
		p := concatCase{axis: f.n(len(first)), rescale: d == u8 && f.n(2) == 0}
		for range f.in(1, 3) {
			s := append([]int(nil), first...)
			s[p.axis] = f.in(1, 4)
			p.ins = append(p.ins, s)
		}
		if f.n(2) == 0 {
			p.axis -= len(first)
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildConcat(r, d, act, p) }
	case 12, 13, 14, 15:
		u := unaryOps[op-12]
		c.op, c.act = u.name, "none"
		shape, widen, same := f.shape(f.in(1, 4), 5), 0.25*float64(f.in(1, 8)), false
		if u.op == schema.OpRelu || u.op == schema.OpRelu6 {
			same = !d.float() && f.n(2) == 0
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, d, u, shape, widen, same) }
	case 18:
		c.op, c.act = "SQUEEZE", "none"
		var p squeezeCase
		for range f.in(1, 6) {
			if f.n(2) == 0 {
				p.in = append(p.in, 1)
				if f.n(2) == 0 {
					p.dims = append(p.dims, len(p.in)-1-f.n(2)*6) // sometimes negative
				}
			} else {
				p.in = append(p.in, f.in(2, 4))
			}
		}
		for i, a := range p.dims {
			if a < 0 {
				p.dims[i] = a + 6 - len(p.in)
			}
		}
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildSqueeze(r, d, p) }
	case 16:
		c.op, c.act = "SOFTMAX", "none"
		shape, beta := f.shape(f.in(1, 4), 6), 0.1*float64(f.in(1, 30))
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildSoftmax(r, d, shape, beta) }
	case 17:
		c.act = "none"
		q := quantizeTable[f.n(len(quantizeTable))]
		shape := f.shape(f.in(1, 4), 5)
		if f.n(4) == 0 && !q.from.float() {
			c.op, c.dtype = "DEQUANTIZE", q.from.name+"→float32"
			build = func(r *rand.Rand) (*Graph, []*tensor, []want) {
				in := randTensor(r, q.from, shape, -3, 5)
				out := &tensor{d: f32, shape: shape}
				gr := NewGraph()
				gi := gr.in(in)
				gr.Op(schema.OpDequantize, []int32{gi}, []int32{gr.out(out)}, nil)
				return gr, []*tensor{in}, []want{{out: out, real: in.real(), tol: 1e-6}}
			}
			break
		}
		c.op, c.dtype = "QUANTIZE", q.from.name+"→"+q.to.name
		lo, hi, oscale := -float64(f.in(0, 10)), float64(f.in(1, 10)), 0.25*float64(f.in(1, 24))
		build = func(r *rand.Rand) (*Graph, []*tensor, []want) {
			return buildQuantize(r, q.from, q.to, shape, lo, hi, oscale)
		}
	default:
		mc, ok := fuzzMoreCase(f, op-19, d, act)
		if ok {
			mc.params = c.params
		}
		return mc, ok && mc.build != nil
	}
	c.build = build
	return c, build != nil
}

// FuzzSingleOpRoundTrip builds a random valid single-op model from the
// fuzz bytes, writes it with schema.Marshal, checks that parsing and
// writing it again gives the same bytes, loads and runs it in Fovea (which
// must neither fail nor panic) and compares the outputs with the
// reference: exactly for the ops that only move or clamp codes, within
// 1e-5 (float) or one quantization step for the others.
func FuzzSingleOpRoundTrip(f *testing.F) {
	for _, s := range []string{"", "\x00", "\x01\x02\x03", "\x00\x00\x05", "\x02\x01\x0a\x07\x07", "\x01\x00\x0b\x03\x02\x02\x02",
		"\x00\x00\x09\x03\x04\x02\x01", "\x02\x00\x10\x05\x05", "\x01\x00\x11\x02\x03\x04\x05\x06", "\x00\x03\x06\x04\x03\x02\x01\x00\x01"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, ok := fuzzCase(data)
		if !ok {
			return
		}
		r := rand.New(rand.NewPCG(seedOf(string(data)), 2))
		g, ins, wants := c.build(r)
		model, err := g.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		// Parse gives an operator whose options table is absent the zero
		// value of its options (as TFLite does), so the first rewrite may
		// add empty tables; from then on writing must be stable.
		once, err := remarshal(model)
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		twice, err := remarshal(once)
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: Marshal(Parse(x)) differs from x (%d vs %d bytes) for x = Marshal(Parse(Marshal(m)))", c.name(), len(twice), len(once))
		}
		outs, err := runModel(model, ins, 1)
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		// Fuzzed graphs are tiny and often degenerate (every output the
		// bias, say), so one near-tie can repeat over the whole output:
		// hold every element to ±1 (exact ops to 0) but leave the share of
		// one-step differences to TestSingleOp's realistic cases.
		if _, problems := check(outs, wants, 1); len(problems) > 0 {
			t.Errorf("%s:\n%v", c.name(), problems)
		}
	})
}

// remarshal parses a model and writes it again.
func remarshal(model []byte) ([]byte, error) {
	m, err := schema.Parse(model)
	if err != nil {
		return nil, fmt.Errorf("Parse: %w", err)
	}
	b, err := schema.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("Marshal(Parse(x)): %w", err)
	}
	return b, nil
}
