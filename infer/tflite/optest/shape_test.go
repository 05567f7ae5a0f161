package optest

import (
	"fmt"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

var moveTypes = []dtype{f32, u8, i8}

type padCase struct {
	in   []int
	pads []int // before, after per axis
}

var padTable = []padCase{
	{[]int{1, 4, 4, 3}, []int{0, 0, 1, 1, 1, 1, 0, 0}},
	{[]int{1, 5, 3, 2}, []int{0, 0, 2, 0, 0, 3, 1, 2}},
	{[]int{2, 3}, []int{1, 2, 0, 4}},
	{[]int{7}, []int{3, 0}},
	{[]int{2, 2, 3}, []int{1, 1, 1, 1, 1, 1}},
	{[]int{1, 2, 2, 2, 3}, []int{0, 1, 1, 0, 0, 2, 2, 0, 1, 1}},
	{[]int{1, 3, 3, 4}, []int{0, 0, 0, 0, 0, 0, 0, 0}},
}

func padCases() []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		for _, p := range padTable {
			cs = append(cs, opCase{op: "PAD", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_pads%v", p.in, p.pads),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildPad(r, d, p) }})
		}
	}
	return cs
}

// buildPad pads with zero (the output zero point for 8-bit tensors).
func buildPad(r *rand.Rand, d dtype, p padCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, -2, 3)
	shape := make([]int, len(p.in))
	for i, n := range p.in {
		shape[i] = n + p.pads[2*i] + p.pads[2*i+1]
	}
	x := in.real()
	real := make([]float64, numel(shape))
	for i := range real {
		idx := unflatten(i, shape)
		src, inside := 0, true
		for a, n := range p.in {
			j := idx[a] - p.pads[2*a]
			if j < 0 || j >= n {
				inside = false
				break
			}
			src = src*n + j
		}
		if inside {
			real[i] = x[src]
		}
	}
	out := in.like(shape)
	gr := NewGraph()
	gi := gr.in(in)
	pads := gr.Const("paddings", schema.Int32, []int{len(p.in), 2}, nil, Int32Bytes(int32s(p.pads)))
	gr.Op(schema.OpPad, []int32{gi, pads}, []int32{gr.out(out)}, nil)
	return gr, []*tensor{in}, []want{{out: out, real: real, exact: true}}
}

func int32s(v []int) []int32 {
	q := make([]int32, len(v))
	for i, x := range v {
		q[i] = int32(x)
	}
	return q
}

type reshapeCase struct {
	in, want []int // want may hold one -1
	how      string
}

var reshapeTable = []reshapeCase{
	{[]int{1, 4, 4, 3}, []int{1, 48}, "options"},
	{[]int{1, 4, 4, 3}, []int{1, -1}, "tensor"},
	{[]int{2, 3, 5}, []int{5, -1, 2}, "options"},
	{[]int{6}, []int{1, 2, 1, 3}, "tensor"},
	{[]int{1, 1, 1, 10}, []int{10}, "declared"},
	{[]int{3, 4, 2}, []int{-1}, "tensor"},
}

func reshapeCases() []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		for _, p := range reshapeTable {
			cs = append(cs, opCase{op: "RESHAPE", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_to%v_%s", p.in, p.want, p.how),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildReshape(r, d, p) }})
		}
	}
	return cs
}

// buildReshape gives the new shape as options, as a constant shape tensor,
// or only through the declared output shape.
func buildReshape(r *rand.Rand, d dtype, p reshapeCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, -2, 3)
	shape := append([]int(nil), p.want...)
	known := 1
	for _, n := range shape {
		if n > 0 {
			known *= n
		}
	}
	for i, n := range shape {
		if n < 0 {
			shape[i] = numel(p.in) / known
		}
	}
	out := in.like(shape)
	gr := NewGraph()
	ops := []int32{gr.in(in)}
	var opts any
	switch p.how {
	case "options":
		opts = &schema.ReshapeOptions{NewShape: int32s(p.want)}
	case "tensor":
		ops = append(ops, gr.ints(p.want...))
	}
	gr.Op(schema.OpReshape, ops, []int32{gr.out(out)}, opts)
	return gr, []*tensor{in}, []want{{out: out, real: in.real(), exact: true}}
}

type squeezeCase struct {
	in   []int
	dims []int
}

var squeezeTable = []squeezeCase{
	{[]int{1, 1, 1, 10}, nil},
	{[]int{1, 1, 1, 10}, []int{1, 2}},
	{[]int{1, 3, 1, 4}, []int{-2}},
	{[]int{2, 1, 3}, []int{1}},
	{[]int{1, 5}, []int{0}},
	{[]int{1, 1, 2, 1, 3, 1}, nil},
}

func squeezeCases() []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		for _, p := range squeezeTable {
			cs = append(cs, opCase{op: "SQUEEZE", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_dims%v", p.in, p.dims),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildSqueeze(r, d, p) }})
		}
	}
	return cs
}

// buildSqueeze drops the listed axes, or every axis of size 1 when none
// are listed.
func buildSqueeze(r *rand.Rand, d dtype, p squeezeCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, -2, 3)
	drop := make([]bool, len(p.in))
	for _, a := range p.dims {
		drop[(a+len(p.in))%len(p.in)] = true
	}
	shape := []int{}
	for i, n := range p.in {
		if !(drop[i] || p.dims == nil && n == 1) {
			shape = append(shape, n)
		}
	}
	out := in.like(shape)
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(schema.OpSqueeze, []int32{gi}, []int32{gr.out(out)}, &schema.SqueezeOptions{SqueezeDims: int32s(p.dims)})
	return gr, []*tensor{in}, []want{{out: out, real: in.real(), exact: true}}
}

type transposeCase struct{ in, perm []int }

var transposeTable = []transposeCase{
	{[]int{1, 4, 5, 3}, []int{0, 3, 1, 2}},
	{[]int{1, 3, 4, 5}, []int{0, 2, 3, 1}},
	{[]int{3, 7}, []int{1, 0}},
	{[]int{2, 3, 4}, []int{2, 0, 1}},
	{[]int{2, 1, 3, 2, 2}, []int{4, 2, 0, 3, 1}},
	{[]int{2, 2, 1, 3, 2, 2}, []int{5, 4, 3, 2, 1, 0}},
	{[]int{4, 5}, []int{0, 1}},
}

func transposeCases() []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		for _, p := range transposeTable {
			cs = append(cs, opCase{op: "TRANSPOSE", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_perm%v", p.in, p.perm),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildTranspose(r, d, p) }})
		}
	}
	return cs
}

func buildTranspose(r *rand.Rand, d dtype, p transposeCase) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, p.in, -2, 3)
	shape := make([]int, len(p.in))
	for i, a := range p.perm {
		shape[i] = p.in[a]
	}
	x := in.real()
	real := make([]float64, len(x))
	for i := range real {
		idx := unflatten(i, shape)
		src := make([]int, len(p.in))
		for o, a := range p.perm {
			src[a] = idx[o]
		}
		j := 0
		for a, n := range p.in {
			j = j*n + src[a]
		}
		real[i] = x[j]
	}
	out := in.like(shape)
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(schema.OpTranspose, []int32{gi, gr.ints(p.perm...)}, []int32{gr.out(out)}, nil)
	return gr, []*tensor{in}, []want{{out: out, real: real, exact: true}}
}

type concatCase struct {
	ins  [][]int
	axis int
	// rescale gives uint8 inputs their own quantization (TFLite rescales
	// them); otherwise every input shares the output's.
	rescale bool
}

var concatTable = []concatCase{
	{[][]int{{1, 4, 4, 3}, {1, 4, 4, 5}}, 3, false},
	{[][]int{{1, 2, 4, 3}, {1, 3, 4, 3}, {1, 1, 4, 3}}, 1, false},
	{[][]int{{2, 3}, {2, 3}}, 0, false},
	{[][]int{{2, 3, 2}, {2, 3, 5}}, -1, false},
	{[][]int{{7}, {1}, {4}}, 0, false},
	{[][]int{{1, 3, 2, 2}, {1, 3, 3, 2}}, -2, false},
	{[][]int{{1, 4, 4, 3}, {1, 4, 4, 2}}, 3, true},
	{[][]int{{2, 5}, {2, 1}, {2, 3}}, 1, true},
	{[][]int{{3, 2, 2}, {1, 2, 2}}, 0, true},
	{[][]int{{1, 2, 2, 4}, {1, 2, 2, 4}}, 3, true},
	{[][]int{{5, 1}, {5, 2}}, -1, true},
}

func (c concatCase) String() string {
	s := fmt.Sprintf("in%v_axis%d", c.ins, c.axis)
	if c.rescale {
		s += "_rescale"
	}
	return s
}

func concatCases() []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		acts := []schema.Activation{schema.ActNone} // TFLite refuses fused activations on 8-bit CONCATENATION
		if d.float() {
			acts = allActs
		}
		for _, act := range acts {
			for _, p := range concatTable {
				if p.rescale && d != u8 {
					continue // float has nothing to rescale; int8 requires equal quantization
				}
				cs = append(cs, opCase{op: "CONCATENATION", dtype: d.name, act: actNames[act], params: p.String(),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildConcat(r, d, act, p) }})
			}
		}
	}
	return cs
}

func buildConcat(r *rand.Rand, d dtype, act schema.Activation, p concatCase) (*Graph, []*tensor, []want) {
	rank := len(p.ins[0])
	axis := (p.axis + rank) % rank
	var ins []*tensor
	shape := append([]int(nil), p.ins[0]...)
	shape[axis] = 0
	for i, s := range p.ins {
		lo, hi := -2.0, 3.0
		if p.rescale {
			lo, hi = -1-float64(i), 2+2*float64(i)
		}
		t := randTensor(r, d, s, lo, hi)
		if !p.rescale && i > 0 {
			t.scales, t.zp = ins[0].scales, ins[0].zp
		}
		ins = append(ins, t)
		shape[axis] += s[axis]
	}
	outer := numel(shape[:axis])
	var real []float64
	for o := range outer {
		for _, t := range ins {
			inner := numel(t.shape[axis:])
			real = append(real, t.real()[o*inner:(o+1)*inner]...)
		}
	}
	out := ins[0].like(shape)
	if p.rescale {
		out = outTensor(d, shape, real)
	}
	gr := NewGraph()
	var ids []int32
	for _, t := range ins {
		ids = append(ids, gr.in(t))
	}
	gr.Op(schema.OpConcatenation, ids, []int32{gr.out(out)}, &schema.ConcatenationOptions{Axis: int32(p.axis), Activation: act})
	return gr, ins, []want{{out: out, real: real, act: act, exact: !p.rescale}}
}
