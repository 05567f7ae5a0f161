package optest

import (
	"fmt"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// randInts is an int32 tensor of plain integers in [lo, hi].
func randInts(r *rand.Rand, shape []int, lo, hi int32) *tensor {
	t := &tensor{d: i32, shape: shape, q: make([]int32, numel(shape))}
	for i := range t.q {
		t.q[i] = lo + r.Int32N(hi-lo+1)
	}
	return t
}

// int32Cases: integer ADD, SUB and MUL (shape arithmetic in converted
// models), and int32 CONCATENATION, TRANSPOSE and PAD.
func int32Cases() []opCase {
	var cs []opCase
	ops := []struct {
		name string
		op   schema.BuiltinOperator
		f    func(x, y int32) int32
		opts func(a schema.Activation) any
	}{
		{"ADD", schema.OpAdd, func(x, y int32) int32 { return x + y }, func(a schema.Activation) any { return &schema.AddOptions{Activation: a} }},
		{"SUB", schema.OpSub, func(x, y int32) int32 { return x - y }, func(a schema.Activation) any { return &schema.SubOptions{Activation: a} }},
		{"MUL", schema.OpMul, func(x, y int32) int32 { return x * y }, func(a schema.Activation) any { return &schema.MulOptions{Activation: a} }},
	}
	for _, o := range ops {
		for _, act := range allActs {
			for _, p := range binTable {
				cs = append(cs, opCase{op: o.name, dtype: "int32", act: actNames[act], params: fmt.Sprintf("%v_%v", p.a, p.b),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
						a, b := randInts(r, p.a, -9, 9), randInts(r, p.b, -9, 9)
						shape := broadcastShape(p.a, p.b)
						real := make([]float64, numel(shape))
						for i := range real {
							idx := unflatten(i, shape)
							v := o.f(a.q[broadcastIndex(idx, p.a, shape)], b.q[broadcastIndex(idx, p.b, shape)])
							real[i] = floatAct(act, float64(v))
						}
						out := &tensor{d: i32, shape: shape}
						g := NewGraph()
						ia, ib := g.in(a), g.in(b)
						g.Op(o.op, []int32{ia, ib}, []int32{g.out(out)}, o.opts(act))
						return g, []*tensor{a, b}, []want{{out: out, real: real}}
					}})
			}
		}
	}
	for _, p := range concatTable {
		if p.rescale {
			continue
		}
		cs = append(cs, opCase{op: "CONCATENATION", dtype: "int32", act: "none", params: p.String(),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
				var ins []*tensor
				g := NewGraph()
				var gis []int32
				for _, s := range p.ins {
					t := randInts(r, s, -1000, 1000)
					ins = append(ins, t)
					gis = append(gis, g.in(t))
				}
				axis := p.axis
				if axis < 0 {
					axis += len(p.ins[0])
				}
				shape := append([]int(nil), p.ins[0]...)
				shape[axis] = 0
				for _, s := range p.ins {
					shape[axis] += s[axis]
				}
				real := make([]float64, numel(shape))
				for i := range real {
					idx := unflatten(i, shape)
					j := idx[axis]
					for k, s := range p.ins {
						if j < s[axis] {
							src := append([]int(nil), idx...)
							src[axis] = j
							real[i] = float64(ins[k].q[flat(src, s)])
							break
						}
						j -= s[axis]
					}
				}
				out := &tensor{d: i32, shape: shape}
				g.Op(schema.OpConcatenation, gis, []int32{g.out(out)}, &schema.ConcatenationOptions{Axis: int32(p.axis)})
				return g, ins, []want{{out: out, real: real}}
			}})
	}
	for _, p := range transposeTable {
		cs = append(cs, opCase{op: "TRANSPOSE", dtype: "int32", act: "none", params: fmt.Sprintf("in%v_perm%v", p.in, p.perm),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
				in := randInts(r, p.in, -1000, 1000)
				shape := make([]int, len(p.in))
				for i, a := range p.perm {
					shape[i] = p.in[a]
				}
				w := moveWant(in, shape, func(idx []int) int {
					src := make([]int, len(p.in))
					for o, a := range p.perm {
						src[a] = idx[o]
					}
					return flat(src, p.in)
				})
				w.out = &tensor{d: i32, shape: shape}
				g := NewGraph()
				gi := g.in(in)
				g.Op(schema.OpTranspose, []int32{gi, g.ints(p.perm...)}, []int32{g.out(w.out)}, nil)
				return g, []*tensor{in}, []want{w}
			}})
	}
	for _, p := range padTable {
		cs = append(cs, opCase{op: "PAD", dtype: "int32", act: "none", params: fmt.Sprintf("in%v_pads%v", p.in, p.pads),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
				in := randInts(r, p.in, -1000, 1000)
				shape := make([]int, len(p.in))
				for a, n := range p.in {
					shape[a] = n + p.pads[2*a] + p.pads[2*a+1]
				}
				w := moveWant(in, shape, func(idx []int) int {
					src := make([]int, len(idx))
					for a, o := range idx {
						src[a] = o - p.pads[2*a]
						if src[a] < 0 || src[a] >= p.in[a] {
							return -1
						}
					}
					return flat(src, p.in)
				})
				w.out = &tensor{d: i32, shape: shape}
				g := NewGraph()
				gi := g.in(in)
				pads := g.Const("paddings", schema.Int32, []int{len(p.in), 2}, nil, Int32Bytes(int32s(p.pads)))
				g.Op(schema.OpPad, []int32{gi, pads}, []int32{g.out(w.out)}, nil)
				return g, []*tensor{in}, []want{w}
			}})
	}
	return cs
}
