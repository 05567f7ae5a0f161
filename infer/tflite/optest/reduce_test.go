package optest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// reduceRef reduces x of shape over the axes: per output element, the
// list of input values in input order.
func reduceRef(x []float64, shape []int, axes []int, keep bool) ([]int, [][]float64) {
	red := make([]bool, len(shape))
	for _, a := range axes {
		if a < 0 {
			a += len(shape)
		}
		red[a] = true
	}
	var out []int
	for i, n := range shape {
		switch {
		case !red[i]:
			out = append(out, n)
		case keep:
			out = append(out, 1)
		}
	}
	groups := make([][]float64, numel(out))
	for i, v := range x {
		idx := unflatten(i, shape)
		var oi []int
		for a, j := range idx {
			switch {
			case !red[a]:
				oi = append(oi, j)
			case keep:
				oi = append(oi, 0)
			}
		}
		o := flat(oi, out)
		groups[o] = append(groups[o], v)
	}
	return out, groups
}

var reduceOps = []reduceOp{
	{"SUM", schema.OpSum, func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s
	}, nil, false},
	{"REDUCE_MAX", schema.OpReduceMax, func(v []float64) float64 {
		m := math.Inf(-1)
		for _, x := range v {
			m = max(m, x)
		}
		return m
	}, nil, true},
	{"REDUCE_MIN", schema.OpReduceMin, func(v []float64) float64 {
		m := math.Inf(1)
		for _, x := range v {
			m = min(m, x)
		}
		return m
	}, nil, true},
	{"REDUCE_PROD", schema.OpReduceProd, func(v []float64) float64 {
		p := 1.0
		for _, x := range v {
			p *= x
		}
		return p
	}, []dtype{f32, i8, i16}, false},
}

type reduceOp struct {
	name  string
	op    schema.BuiltinOperator
	f     func(v []float64) float64
	types []dtype
	same  bool // 8-bit: output keeps the input's quantization (exact)
}

func reduceCases() []opCase {
	var cs []opCase
	for _, ro := range reduceOps {
		cs = append(cs, reduceCasesFor(ro, meanTable)...)
	}
	return append(cs, meanSameQuantCases()...)
}

func reduceCasesFor(ro reduceOp, table []meanCase) []opCase {
	var cs []opCase
	{
		types := ro.types
		if types == nil {
			types = []dtype{f32, u8, i8}
		}
		for _, d := range types {
			for _, p := range table {
				name := fmt.Sprintf("in%v_axes%v_keep%v", p.in, p.axes, p.keep)
				cs = append(cs, opCase{op: ro.name, dtype: d.name, act: "none", params: name,
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
						lo, hi := -2.0, 3.0
						if ro.op == schema.OpReduceProd {
							lo, hi = 0.7, 1.3
						}
						in := randTensor(r, d, p.in, lo, hi)
						shape, groups := reduceRef(in.real(), p.in, p.axes, p.keep)
						real := make([]float64, len(groups))
						for i, g := range groups {
							real[i] = ro.f(g)
						}
						out := outTensor(d, shape, real)
						if ro.same {
							out = in.like(shape)
						}
						g := NewGraph()
						gi := g.in(in)
						g.Op(ro.op, []int32{gi, g.ints(p.axes...)}, []int32{g.out(out)}, &schema.ReducerOptions{KeepDims: p.keep})
						w := want{out: out, real: real, exact: ro.same, tol: 1e-5}
						if ro.op == schema.OpSum && !d.float() {
							w.alt = sumAlt(in, out, p)
						}
						if ro.op == schema.OpReduceProd && !d.float() {
							w.alt = prodAlt(in, out, p)
						}
						return g, []*tensor{in}, []want{w}
					}})
			}
		}
	}
	return cs
}

// meanSameQuantCases: MEAN with the input's quantization, where TFLite's
// reference kernel averages the codes with a truncating integer division.
func meanSameQuantCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{u8, i8} {
		for _, p := range meanTable[2:] {
			name := fmt.Sprintf("in%v_axes%v_samequant", p.in, p.axes)
			cs = append(cs, opCase{op: "MEAN", dtype: d.name, act: "none", params: name,
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := randTensor(r, d, p.in, -2, 3)
					codes := make([]float64, len(in.q))
					for i, q := range in.q {
						codes[i] = float64(q)
					}
					shape, groups := reduceRef(codes, p.in, p.axes, p.keep)
					real := make([]float64, len(groups))
					for i, g := range groups {
						var s int32
						for _, c := range g {
							s += int32(c)
						}
						real[i] = in.scales[0] * float64(s/int32(len(g))-in.zp)
					}
					out := in.like(shape)
					g := NewGraph()
					gi := g.in(in)
					g.Op(schema.OpMean, []int32{gi, g.ints(p.axes...)}, []int32{g.out(out)}, &schema.ReducerOptions{KeepDims: p.keep})
					return g, []*tensor{in}, []want{{out: out, real: real, exact: true}}
				}})
		}
	}
	return cs
}

type argCase struct {
	in   []int
	axis int
}

var argTable = []argCase{{[]int{1, 10}, 1}, {[]int{2, 3, 4}, 0}, {[]int{2, 3, 4}, -2}, {[]int{1, 1001}, -1}, {[]int{4, 4, 3}, 2}, {[]int{7}, 0}}

func argCases() []opCase { return argCasesFor(argTable) }

func argCasesFor(table []argCase) []opCase {
	var cs []opCase
	for _, isMax := range []bool{true, false} {
		op := "ARG_MAX"
		if !isMax {
			op = "ARG_MIN"
		}
		for _, d := range []dtype{f32, u8, i8} {
			for k, p := range table {
				outT := []dtype{i32, i64}[k%2]
				cs = append(cs, opCase{op: op, dtype: d.name, act: "none", params: fmt.Sprintf("in%v_axis%d_%s", p.in, p.axis, outT.name),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
						in := randTensor(r, d, p.in, -2, 3)
						axis := p.axis
						if axis < 0 {
							axis += len(p.in)
						}
						x := in.real()
						shape := append(append([]int(nil), p.in[:axis]...), p.in[axis+1:]...)
						real := make([]float64, numel(shape))
						for i := range real {
							idx := unflatten(i, shape)
							best, bi := 0.0, 0
							for j := range p.in[axis] {
								src := append(append(append([]int(nil), idx[:axis]...), j), idx[axis:]...)
								v := x[flat(src, p.in)]
								if j == 0 || (isMax && v > best) || (!isMax && v < best) {
									best, bi = v, j
								}
							}
							real[i] = float64(bi)
						}
						out := &tensor{d: outT, shape: shape}
						g := NewGraph()
						gi := g.in(in)
						if isMax {
							g.Op(schema.OpArgMax, []int32{gi, g.ints(p.axis)}, []int32{g.out(out)}, &schema.ArgMaxOptions{OutputType: outT.typ})
						} else {
							g.Op(schema.OpArgMin, []int32{gi, g.ints(p.axis)}, []int32{g.out(out)}, &schema.ArgMinOptions{OutputType: outT.typ})
						}
						return g, []*tensor{in}, []want{{out: out, real: real}}
					}})
			}
		}
	}
	return cs
}

// miscCases: SHAPE, FILL, ZEROS_LIKE and CAST.
func miscCases() []opCase {
	shapes := [][]int{{1, 224, 224, 3}, {7}, {2, 3}, {}, {1, 1, 1, 1, 5}, {4, 1}}
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8} {
		for k, s := range shapes {
			outT := []dtype{i32, i64}[k%2]
			cs = append(cs, opCase{op: "SHAPE", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_%s", s, outT.name),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := randTensor(r, d, s, -1, 1)
					out := &tensor{d: outT, shape: []int{len(s)}}
					real := make([]float64, len(s))
					for i, n := range s {
						real[i] = float64(n)
					}
					g := NewGraph()
					gi := g.in(in)
					g.Op(schema.OpShape, []int32{gi}, []int32{g.out(out)}, &schema.ShapeOptions{OutType: outT.typ})
					return g, []*tensor{in}, []want{{out: out, real: real}}
				}})
			if len(s) == 0 {
				continue // an empty dims constant has no buffer
			}
			cs = append(cs, opCase{op: "FILL", dtype: d.name, act: "none", params: fmt.Sprintf("dims%v", s),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					v := randTensor(r, d, []int{}, -2, 3)
					x := v.real()[0]
					real := make([]float64, numel(s))
					for i := range real {
						real[i] = x
					}
					out := v.like(s)
					g := NewGraph()
					dims := g.Const("dims", schema.Int32, []int{len(s)}, nil, Int32Bytes(int32s(s)))
					gv := g.in(v)
					g.Op(schema.OpFill, []int32{dims, gv}, []int32{g.out(out)}, nil)
					return g, []*tensor{v}, []want{{out: out, real: real, exact: true}}
				}})
		}
	}
	for k, s := range shapes {
		for _, d := range []dtype{f32, i32} {
			cs = append(cs, opCase{op: "ZEROS_LIKE", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_%d", s, k),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := &tensor{d: d, shape: s, f: make([]float32, numel(s)), q: make([]int32, numel(s))}
					for i := range in.f {
						in.f[i], in.q[i] = float32(r.NormFloat64()), r.Int32N(1000)-500
					}
					if d.float() {
						in.q = nil
					} else {
						in.f = nil
					}
					out := &tensor{d: d, shape: s}
					g := NewGraph()
					gi := g.in(in)
					g.Op(schema.OpZerosLike, []int32{gi}, []int32{g.out(out)}, nil)
					return g, []*tensor{in}, []want{{out: out, real: make([]float64, numel(s))}}
				}})
		}
	}
	casts := []struct{ from, to dtype }{{f32, i32}, {i32, f32}, {u8, f32}, {i8, i32}, {f32, i64}}
	for _, c := range casts {
		for k, s := range shapes {
			cs = append(cs, opCase{op: "CAST", dtype: c.from.name + "→" + c.to.name, act: "none", params: fmt.Sprintf("in%v_%d", s, k),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := &tensor{d: c.from, shape: s}
					n := numel(s)
					real := make([]float64, n)
					switch c.from {
					case f32:
						in.f = make([]float32, n)
						for i := range in.f {
							in.f[i] = float32(r.NormFloat64() * 100)
							real[i] = math.Trunc(float64(in.f[i]))
						}
					default:
						in.q = make([]int32, n)
						for i := range in.q {
							span := int64(c.from.qmax) - int64(c.from.qmin)
							in.q[i] = int32(max(int64(c.from.qmin), -1<<19) + r.Int64N(min(span, 1<<20)))
							real[i] = float64(in.q[i])
						}
					}
					out := &tensor{d: c.to, shape: s}
					g := NewGraph()
					gi := g.Input("in", c.from.typ, s, nil)
					g.Op(schema.OpCast, []int32{gi}, []int32{g.out(out)}, nil)
					return g, []*tensor{in}, []want{{out: out, real: real}}
				}})
		}
	}
	return cs
}

// sumAlt is TFLite's documented 8-bit SUM with rescaling (optimized
// QuantizedMeanOrSum): float32 round(Σq·s + b) + zp, cast to the 8-bit
// type without clamping, so a result rounding just past the range wraps.
func sumAlt(in, out *tensor, p meanCase) []int32 {
	codes := make([]float64, len(in.q))
	for i, q := range in.q {
		codes[i] = float64(q)
	}
	_, groups := reduceRef(codes, p.in, p.axes, p.keep)
	scale := float32(in.scales[0]) / float32(out.scales[0])
	alt := make([]int32, len(groups))
	for i, g := range groups {
		var sum int32
		for _, c := range g {
			sum += int32(c)
		}
		bias := float32(float32(-in.zp)*scale) * float32(len(g))
		v := int32(math.Round(float64(float32(float32(sum)*scale)+bias))) + out.zp
		if out.d == u8 {
			alt[i] = int32(uint8(v))
		} else {
			alt[i] = int32(int8(v))
		}
	}
	return alt
}

// prodAlt is TFLite's documented quantized REDUCE_PROD: the running
// product of offset codes, each step and the result rescaled by
// s_in/s_out^(1/n) with the int64 MultiplyByQuantizedMultiplier (a
// multiplier reduced to 15 bits), so errors grow with n.
func prodAlt(in, out *tensor, p meanCase) []int32 {
	codes := make([]float64, len(in.q))
	for i, q := range in.q {
		codes[i] = float64(q - in.zp)
	}
	_, groups := reduceRef(codes, p.in, p.axes, p.keep)
	alt := make([]int32, len(groups))
	for i, g := range groups {
		m := in.scales[0] / math.Pow(out.scales[0], 1/float64(len(g)))
		acc := int64(g[0])
		for _, c := range g[1:] {
			acc = int64(mbqm64(acc*int64(c), m))
		}
		alt[i] = mbqm64(acc, m) + out.zp
	}
	return alt
}
