package optest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// int16Cases are the 16x8 forms not covered by the shared tables: RELU,
// RELU6, LOGISTIC, TANH, SUB (TFLite's int16 SUB does not broadcast correctly, so Fovea
// refuses broadcasting and the cases use equal shapes), and ADD on the
// power-of-two path.
func int16Cases() []opCase {
	var cs []opCase
	for _, u := range unaryOps {
		if u.op != schema.OpRelu && u.op != schema.OpRelu6 {
			continue
		}
		for _, p := range unaryShapes {
			cs = append(cs, opCase{op: u.name, dtype: i16.name, act: "none", params: fmt.Sprintf("in%v_range%g", p.shape, p.widen),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, i16, u, p.shape, p.widen, false) }})
			cs = append(cs, opCase{op: u.name, dtype: i16.name, act: "none", params: fmt.Sprintf("in%v_range%g_samequant", p.shape, p.widen),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, i16, u, p.shape, p.widen, true) }})
		}
	}
	for _, u := range append(slices.Clone(unaryOps), moreUnaryOps...) {
		if u.op != schema.OpLogistic && u.op != schema.OpTanh {
			continue
		}
		u.out = func(dtype) (float64, int32) { return 1.0 / 32768, 0 } // TFLite requires 2^-15
		for _, p := range unaryShapes {
			// ×1.1: the tables' ranges would give power-of-two input
			// scales, for which TFLite runs another kernel (refused).
			widen := p.widen * 1.1
			cs = append(cs, opCase{op: u.name, dtype: i16.name, act: "none", params: fmt.Sprintf("in%v_range%g", p.shape, widen),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					g, ins, ws := buildUnary(r, i16, u, p.shape, widen, false)
					ws[0].steps = sigmoidSteps16
					return g, ins, ws
				}})
		}
	}
	var sub binOp
	for _, b := range binOps {
		if b.op == schema.OpSub {
			sub = b
		}
	}
	for _, act := range allActs {
		for _, s := range flatShapes16 {
			p := binCase{s, s}
			cs = append(cs, opCase{op: "SUB", dtype: i16.name, act: actNames[act], params: fmt.Sprintf("%v_%v", p.a, p.b),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildBinaryOp(r, i16, act, p, sub) }})
		}
		for _, p := range potTable {
			cs = append(cs, opCase{op: "ADD", dtype: i16.name, act: actNames[act], params: fmt.Sprintf("pot%v_2^%d_2^%d_2^%d", p.shape, p.e1, p.e2, p.eo),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildAddPOT(r, act, p.shape, p.e1, p.e2, p.eo) }})
		}
	}
	return cs
}

// sigmoidSteps16 bounds the error of TFLite's int16 LOGISTIC and TANH in
// steps of 2^-15: they interpolate a 256-entry table of sigmoid(i/24).
const sigmoidSteps16 = 3

var flatShapes16 = [][]int{{1, 4, 4, 3}, {4, 6, 5}, {1, 16}, {2, 3, 5}, {1, 8, 8, 16}}

// potTable: scales 2^e of input 1, input 2 and output; one input at the
// output's scale, the other finer (as TFLite's power-of-two path needs).
var potTable = []struct {
	shape      []int
	e1, e2, eo int
}{
	{[]int{1, 16}, -12, -12, -12},
	{[]int{2, 3, 5}, -12, -14, -12},
	{[]int{1, 4, 4, 3}, -15, -12, -12},
	{[]int{300}, -11, -13, -11},
	{[]int{1, 8, 8, 16}, -10, -10, -10},
}

// buildAddPOT builds int16 ADD with power-of-two scales and
// pot_scale_int16 set: the finer input is rounded to the output's scale
// (half away from zero) and the sum saturates.
func buildAddPOT(r *rand.Rand, act schema.Activation, shape []int, e1, e2, eo int) (*Graph, []*tensor, []want) {
	mk := func(e int) *tensor {
		t := &tensor{d: i16, shape: shape, scales: []float64{math.Ldexp(1, e)}, q: make([]int32, numel(shape))}
		for i := range t.q {
			t.q[i] = r.Int32N(40001) - 20000
		}
		return t
	}
	a, b := mk(e1), mk(e2)
	ar, br := a.real(), b.real()
	real := make([]float64, len(ar))
	for i := range real {
		real[i] = ar[i] + br[i]
	}
	out := fixedOut(i16, shape, math.Ldexp(1, eo), 0)
	gr := NewGraph()
	ia, ib := gr.in(a), gr.in(b)
	gr.Op(schema.OpAdd, []int32{ia, ib}, []int32{gr.out(out)}, &schema.AddOptions{Activation: act, PotScaleInt16: true})
	return gr, []*tensor{a, b}, []want{{out: out, real: real, act: act}}
}

// TestInt16SigmoidPOTRefused: with an input scale of 2^-12 TFLite runs its
// gemmlowp int16 LOGISTIC, which Fovea refuses rather than approximates.
func TestInt16SigmoidPOTRefused(t *testing.T) {
	for _, op := range []schema.BuiltinOperator{schema.OpLogistic, schema.OpTanh} {
		g := NewGraph()
		in := g.Input("x", schema.Int16, []int{1, 8}, Quant(math.Ldexp(1, -12), 0))
		out := g.Output("y", schema.Int16, []int{1, 8}, Quant(1.0/32768, 0))
		g.Op(op, []int32{in}, []int32{out}, nil)
		data, err := g.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		_, err = infer.Load(data, infer.LoadOptions{})
		if !errors.Is(err, infer.ErrUnsupported) || !strings.Contains(err.Error(), "gemmlowp") {
			t.Errorf("%v with input scale 2^-12: Load error %v; want ErrUnsupported naming TFLite's gemmlowp kernel", op, err)
		}
	}
}

// fuzzCase16 turns bytes into a random 16x8 case of an op an image
// classifier uses: odd geometries, broadcasts and axes beyond the tables.
func fuzzCase16(data []byte) opCase {
	f := &fuzzBytes{b: data}
	act := allActs[f.n(4)]
	c := opCase{dtype: i16.name, act: actNames[act], params: fmt.Sprintf("%x", data)}
	switch op := f.n(8); op {
	case 0, 1:
		c.op = "CONV_2D"
		p := convCase{g: f.geom(6, 4), oc: f.in(1, 9), noBias: f.n(4) == 0}
		mult := 0
		if op == 1 {
			c.op = "DEPTHWISE_CONV_2D"
			mult = f.in(1, 3)
			p.oc = p.g.c * mult
		}
		c.build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildConv(r, i16, act, p, mult) }
	case 2:
		c.op = "FULLY_CONNECTED"
		p := fcCase{in: f.shape(f.in(1, 4), 5), units: f.in(1, 9), keepDims: f.n(2) == 0, perTensor: f.n(2) == 0, noBias: f.n(4) == 0}
		c.build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildFC(r, i16, act, p) }
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
		c.build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildPool(r, i16, act, g, op == 3) }
	case 5:
		c.op, c.act = "MEAN", "none"
		p := meanCase{in: f.shape(f.in(1, 4), 5), keep: f.n(2) == 0}
		for a := range p.in {
			if f.n(2) == 0 {
				p.axes = append(p.axes, a)
			}
		}
		if p.axes == nil {
			p.axes = []int{len(p.in) - 1}
		}
		c.build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildMean(r, i16, p) }
	default:
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
		p := binCase{a: a, b: b}
		c.build = func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildBinary(r, i16, act, p, op == 7) }
	}
	return c
}

// TestRandomInt16Ops runs random 16x8 single-op graphs (2 000; 200 with
// -short) and compares them like TestRandomSingleOps does.
func TestRandomInt16Ops(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	r := rand.New(rand.NewPCG(16, 16))
	perOp := map[string]int{}
	for range n {
		data := make([]byte, 24)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		c := fuzzCase16(data)
		perOp[c.op]++
		g, ins, wants := c.build(rand.New(rand.NewPCG(seedOf(string(data)), 2)))
		model, err := g.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		outs, err := runModel(model, ins, 1)
		if err != nil {
			t.Errorf("%s: %v", c.name(), err)
			continue
		}
		if _, problems := check(outs, wants, 1); len(problems) > 0 {
			t.Errorf("%s:\n%s", c.name(), strings.Join(problems, "\n"))
		}
	}
	t.Logf("%d random int16 graphs: %v", n, perOp)
}
