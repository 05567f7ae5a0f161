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
