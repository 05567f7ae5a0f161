package optest

import (
	"fmt"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// moveWant is the expected output of an operator that only moves
// elements: output element idx is input element src(idx) (−1: pad, real
// value 0), compared exactly.
func moveWant(in *tensor, shape []int, src func(idx []int) int) want {
	x := in.real()
	real := make([]float64, numel(shape))
	for i := range real {
		if j := src(unflatten(i, shape)); j >= 0 {
			real[i] = x[j]
		}
	}
	return want{out: in.like(shape), real: real, exact: true}
}

// flat is the row-major index of idx in shape.
func flat(idx, shape []int) int {
	j := 0
	for a, n := range shape {
		j = j*n + idx[a]
	}
	return j
}

// moveCase builds one case per dtype of moveTypes for each parameter
// combination; build declares the op on the graph given its input.
func moveCases(op string, params []string, build func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want)) []opCase {
	var cs []opCase
	for _, d := range moveTypes {
		for k, p := range params {
			cs = append(cs, opCase{op: op, dtype: d.name, act: "none", params: p,
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return build(r, d, k) }})
		}
	}
	return cs
}

type sliceCase struct{ in, begin, size []int }

var sliceTable = []sliceCase{
	{[]int{1, 4, 4, 3}, []int{0, 1, 1, 0}, []int{1, 2, 3, 3}},
	{[]int{5}, []int{2}, []int{-1}},
	{[]int{3, 4}, []int{1, 0}, []int{2, 4}},
	{[]int{2, 3, 4}, []int{1, 1, 1}, []int{1, -1, 2}},
	{[]int{1, 2, 2, 2, 3}, []int{0, 1, 0, 1, 1}, []int{1, 1, 2, 1, 2}},
	{[]int{4, 4}, []int{0, 0}, []int{0, 4}},
}

func sliceCases() []opCase { return sliceCasesFor(sliceTable) }

func sliceCasesFor(table []sliceCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_begin%v_size%v", p.in, p.begin, p.size))
	}
	return moveCases("SLICE", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		shape := make([]int, len(p.in))
		for a := range shape {
			shape[a] = p.size[a]
			if shape[a] == -1 {
				shape[a] = p.in[a] - p.begin[a]
			}
		}
		w := moveWant(in, shape, func(idx []int) int {
			s := make([]int, len(idx))
			for a := range idx {
				s[a] = idx[a] + p.begin[a]
			}
			return flat(s, p.in)
		})
		g := NewGraph()
		gi := g.in(in)
		g.Op(schema.OpSlice, []int32{gi, g.ints(p.begin...), g.ints(p.size...)}, []int32{g.out(w.out)}, nil)
		return g, []*tensor{in}, []want{w}
	})
}

type stridedCase struct {
	in, begin, end, strides []int
	o                       schema.StridedSliceOptions
}

var stridedTable = []stridedCase{
	{in: []int{1, 6, 6, 3}, begin: []int{0, 0, 0, 0}, end: []int{1, 6, 6, 3}, strides: []int{1, 2, 2, 1}},
	{in: []int{8}, begin: []int{-1}, end: []int{0}, strides: []int{-2}},
	{in: []int{3, 5}, begin: []int{1, 4}, end: []int{3, 0}, strides: []int{1, -1}, o: schema.StridedSliceOptions{EndMask: 1}},
	{in: []int{2, 3, 4}, begin: []int{1, 0, 0}, end: []int{2, 3, 4}, strides: []int{1, 1, 1}, o: schema.StridedSliceOptions{ShrinkAxisMask: 1}},
	{in: []int{1, 4, 4, 8}, begin: []int{0, 1}, end: []int{0, 5}, strides: []int{1, 2}, o: schema.StridedSliceOptions{EllipsisMask: 1}},
	{in: []int{4, 6}, begin: []int{0, 1, 0}, end: []int{0, 3, 6}, strides: []int{1, 1, 3}, o: schema.StridedSliceOptions{NewAxisMask: 1, BeginMask: 4}},
	{in: []int{5, 7}, begin: []int{-100, 2}, end: []int{100, -1}, strides: []int{2, 1}},
	{in: []int{1, 10, 3}, begin: []int{0, 2, 0}, end: []int{1, 3, 3}, strides: []int{1, 1, 1}, o: schema.StridedSliceOptions{ShrinkAxisMask: 3, Offset: false}},
}

// refStridedSlice is TensorFlow's strided slice written plainly: every
// spec entry is resolved to the list of input indices it selects.
func refStridedSlice(p stridedCase) (shape []int, sel [][]int, keep, newAxis []bool) {
	bit := func(m int32, i int) bool { return m>>uint(i)&1 != 0 }
	d := 0
	for i := range p.begin {
		if bit(p.o.EllipsisMask, i) {
			rest := 0
			for j := i + 1; j < len(p.begin); j++ {
				if !bit(p.o.NewAxisMask, j) {
					rest++
				}
			}
			for ; d < len(p.in)-rest; d++ {
				all := make([]int, p.in[d])
				for k := range all {
					all[k] = k
				}
				sel, keep, newAxis = append(sel, all), append(keep, true), append(newAxis, false)
			}
			continue
		}
		if bit(p.o.NewAxisMask, i) {
			sel, keep, newAxis = append(sel, nil), append(keep, true), append(newAxis, true)
			continue
		}
		n, s := p.in[d], p.strides[i]
		norm := func(v int) int {
			if v < 0 {
				v += n
			}
			return v
		}
		b, e := norm(p.begin[i]), norm(p.end[i])
		if s > 0 {
			b, e = min(max(b, 0), n), min(max(e, 0), n)
		} else {
			b, e = min(max(b, -1), n-1), min(max(e, -1), n-1)
		}
		if bit(p.o.BeginMask, i) {
			b = n - 1
			if s > 0 {
				b = 0
			}
		}
		if bit(p.o.EndMask, i) {
			e = -1
			if s > 0 {
				e = n
			}
		}
		var idx []int
		if bit(p.o.ShrinkAxisMask, i) {
			idx = []int{norm(p.begin[i])}
		} else {
			for k := b; (s > 0 && k < e) || (s < 0 && k > e); k += s {
				idx = append(idx, k)
			}
		}
		sel, keep, newAxis = append(sel, idx), append(keep, !bit(p.o.ShrinkAxisMask, i)), append(newAxis, false)
		d++
	}
	for ; d < len(p.in); d++ {
		all := make([]int, p.in[d])
		for k := range all {
			all[k] = k
		}
		sel, keep, newAxis = append(sel, all), append(keep, true), append(newAxis, false)
	}
	for i, s := range sel {
		if keep[i] {
			if newAxis[i] {
				shape = append(shape, 1)
			} else {
				shape = append(shape, len(s))
			}
		}
	}
	return shape, sel, keep, newAxis
}

func stridedSliceCases() []opCase { return stridedSliceCasesFor(stridedTable) }

func stridedSliceCasesFor(table []stridedCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_b%v_e%v_s%v_masks%d.%d.%d.%d.%d", p.in, p.begin, p.end, p.strides, p.o.BeginMask, p.o.EndMask, p.o.EllipsisMask, p.o.NewAxisMask, p.o.ShrinkAxisMask))
	}
	return moveCases("STRIDED_SLICE", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		shape, sel, keep, newAxis := refStridedSlice(p)
		w := moveWant(in, shape, func(idx []int) int {
			src := []int{}
			o := 0
			for i, s := range sel {
				switch {
				case newAxis[i]:
					o++
				case !keep[i]:
					src = append(src, s[0])
				default:
					src = append(src, s[idx[o]])
					o++
				}
			}
			return flat(src, p.in)
		})
		g := NewGraph()
		gi := g.in(in)
		o := p.o
		g.Op(schema.OpStridedSlice, []int32{gi, g.ints(p.begin...), g.ints(p.end...), g.ints(p.strides...)}, []int32{g.out(w.out)}, &o)
		return g, []*tensor{in}, []want{w}
	})
}

type splitCase struct {
	in    []int
	axis  int
	sizes []int // SPLIT_V sizes (one may be −1); nil: SPLIT into n equal parts
	n     int
}

var splitTable = []splitCase{
	{in: []int{1, 4, 4, 6}, axis: 3, n: 2},
	{in: []int{6}, axis: 0, n: 3},
	{in: []int{2, 6, 3}, axis: -2, n: 3},
	{in: []int{4, 2}, axis: 0, n: 4},
	{in: []int{1, 2, 3, 4, 2}, axis: 4, n: 1},
}

var splitVTable = []splitCase{
	{in: []int{1, 4, 4, 6}, axis: 3, sizes: []int{1, 2, 3}},
	{in: []int{7}, axis: 0, sizes: []int{-1, 2}},
	{in: []int{2, 6, 3}, axis: 1, sizes: []int{3, -1, 0}},
	{in: []int{5, 2}, axis: -2, sizes: []int{4, 1}},
	{in: []int{3, 3, 3}, axis: 2, sizes: []int{1, 1, 1}},
}

func splitCases() []opCase {
	return append(splitCasesFor(false, splitTable), splitCasesFor(true, splitVTable)...)
}

func splitCasesFor(v bool, table []splitCase) []opCase {
	var cs []opCase
	{
		op := "SPLIT"
		if v {
			op = "SPLIT_V"
		}
		var names []string
		for _, p := range table {
			names = append(names, fmt.Sprintf("in%v_axis%d_n%d_sizes%v", p.in, p.axis, p.n, p.sizes))
		}
		cs = append(cs, moveCases(op, names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
			p := table[k]
			in := randTensor(r, d, p.in, -2, 3)
			axis := p.axis
			if axis < 0 {
				axis += len(p.in)
			}
			sizes := append([]int(nil), p.sizes...)
			if !v {
				for range p.n {
					sizes = append(sizes, p.in[axis]/p.n)
				}
			}
			sum, unknown := 0, -1
			for i, s := range sizes {
				if s < 0 {
					unknown = i
				} else {
					sum += s
				}
			}
			if unknown >= 0 {
				sizes[unknown] = p.in[axis] - sum
			}
			g := NewGraph()
			gi := g.in(in)
			var wants []want
			var outs []int32
			start := 0
			for _, s := range sizes {
				shape := append([]int(nil), p.in...)
				shape[axis] = s
				st := start
				w := moveWant(in, shape, func(idx []int) int {
					src := append([]int(nil), idx...)
					src[axis] += st
					return flat(src, p.in)
				})
				wants = append(wants, w)
				outs = append(outs, g.out(w.out))
				start += s
			}
			if v {
				g.Op(schema.OpSplitV, []int32{gi, g.ints(p.sizes...), g.ints(p.axis)}, outs, &schema.SplitVOptions{NumSplits: int32(len(sizes))})
			} else {
				g.Op(schema.OpSplit, []int32{g.ints(p.axis), gi}, outs, &schema.SplitOptions{NumSplits: int32(p.n)})
			}
			return g, []*tensor{in}, wants
		})...)
	}
	return cs
}

type axisCase struct {
	in   []int
	axis int
}

var unpackTable = []axisCase{{[]int{3, 4}, 0}, {[]int{2, 3, 4}, 1}, {[]int{1, 2, 2, 3}, -1}, {[]int{4}, 0}, {[]int{2, 2, 2, 2, 2}, 3}}

func unpackCases() []opCase { return unpackCasesFor(unpackTable) }

func unpackCasesFor(table []axisCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_axis%d", p.in, p.axis))
	}
	return moveCases("UNPACK", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		axis := p.axis
		if axis < 0 {
			axis += len(p.in)
		}
		shape := append(append([]int(nil), p.in[:axis]...), p.in[axis+1:]...)
		g := NewGraph()
		gi := g.in(in)
		var wants []want
		var outs []int32
		for i := range p.in[axis] {
			w := moveWant(in, shape, func(idx []int) int {
				src := append(append(append([]int(nil), idx[:axis]...), i), idx[axis:]...)
				return flat(src, p.in)
			})
			wants = append(wants, w)
			outs = append(outs, g.out(w.out))
		}
		g.Op(schema.OpUnpack, []int32{gi}, outs, &schema.UnpackOptions{Num: int32(p.in[axis]), Axis: int32(p.axis)})
		return g, []*tensor{in}, wants
	})
}

type packCase struct {
	in   []int
	n    int
	axis int
}

var packTable = []packCase{{[]int{3}, 2, 0}, {[]int{2, 3}, 3, 1}, {[]int{2, 3}, 2, 2}, {[]int{1, 2, 2}, 4, -1}, {[]int{}, 3, 0}, {[]int{2, 2, 2, 2}, 2, 2}}

func packCases() []opCase { return packCasesFor(packTable) }

func packCasesFor(table []packCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("%dx%v_axis%d", p.n, p.in, p.axis))
	}
	return moveCases("PACK", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		axis := p.axis
		if axis < 0 {
			axis += len(p.in) + 1
		}
		var ins []*tensor
		var xs [][]float64
		g := NewGraph()
		var gis []int32
		for i := range p.n {
			t := randTensor(r, d, p.in, -2, 3)
			if i > 0 {
				t.scales, t.zp = ins[0].scales, ins[0].zp
			}
			ins = append(ins, t)
			xs = append(xs, t.real())
			gis = append(gis, g.in(t))
		}
		shape := append(append(append([]int(nil), p.in[:axis]...), p.n), p.in[axis:]...)
		real := make([]float64, numel(shape))
		for i := range real {
			idx := unflatten(i, shape)
			src := append(append([]int(nil), idx[:axis]...), idx[axis+1:]...)
			real[i] = xs[idx[axis]][flat(src, p.in)]
		}
		out := ins[0].like(shape)
		g.Op(schema.OpPack, gis, []int32{g.out(out)}, &schema.PackOptions{ValuesCount: int32(p.n), Axis: int32(p.axis)})
		return g, ins, []want{{out: out, real: real, exact: true}}
	})
}

type gatherCase struct {
	params  []int
	indices []int
	idxs    []int
	axis    int
	bd      int
}

var gatherTable = []gatherCase{
	{[]int{5, 3}, []int{4}, []int{4, 0, 2, 2}, 0, 0},
	{[]int{2, 6, 3}, []int{2, 2}, []int{5, 0, 1, 3}, 1, 0},
	{[]int{1, 4, 4, 8}, []int{3}, []int{7, 0, 3}, -1, 0},
	{[]int{10}, []int{}, []int{6}, 0, 0},
	{[]int{2, 5, 2}, []int{2, 3}, []int{0, 4, 1, 2, 2, 3}, 1, 1},
	{[]int{3, 2}, []int{2}, []int{2, 1}, 0, 0},
}

func gatherCases() []opCase { return gatherCasesFor(gatherTable) }

func gatherCasesFor(table []gatherCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("params%v_indices%v%v_axis%d_bd%d", p.params, p.indices, p.idxs, p.axis, p.bd))
	}
	return moveCases("GATHER", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.params, -2, 3)
		axis := p.axis
		if axis < 0 {
			axis += len(p.params)
		}
		shape := append(append(append([]int(nil), p.params[:axis]...), p.indices[p.bd:]...), p.params[axis+1:]...)
		ni := len(p.indices) - p.bd
		w := moveWant(in, shape, func(idx []int) int {
			ii := append(append([]int(nil), idx[:p.bd]...), idx[axis:axis+ni]...)
			j := p.idxs[flat(ii, p.indices)]
			src := append(append(append([]int(nil), idx[:axis]...), j), idx[axis+ni:]...)
			return flat(src, p.params)
		})
		g := NewGraph()
		gi := g.in(in)
		gx := g.Const("indices", schema.Int32, p.indices, nil, Int32Bytes(int32s(p.idxs)))
		g.Op(schema.OpGather, []int32{gi, gx}, []int32{g.out(w.out)}, &schema.GatherOptions{Axis: int32(p.axis), BatchDims: int32(p.bd)})
		return g, []*tensor{in}, []want{w}
	})
}

var expandTable = []axisCase{{[]int{3}, 0}, {[]int{3}, 1}, {[]int{2, 3}, -1}, {[]int{1, 4, 4}, 3}, {[]int{}, 0}, {[]int{2, 2, 2}, -4}}

func expandDimsCases() []opCase { return expandDimsCasesFor(expandTable) }

func expandDimsCasesFor(table []axisCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_axis%d", p.in, p.axis))
	}
	return moveCases("EXPAND_DIMS", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		axis := p.axis
		if axis < 0 {
			axis += len(p.in) + 1
		}
		shape := append(append(append([]int(nil), p.in[:axis]...), 1), p.in[axis:]...)
		w := moveWant(in, shape, func(idx []int) int {
			return flat(append(append([]int(nil), idx[:axis]...), idx[axis+1:]...), p.in)
		})
		g := NewGraph()
		gi := g.in(in)
		g.Op(schema.OpExpandDims, []int32{gi, g.ints(p.axis)}, []int32{g.out(w.out)}, nil)
		return g, []*tensor{in}, []want{w}
	})
}

type bcCase struct{ in, to []int }

var broadcastToTable = []bcCase{
	{[]int{3}, []int{2, 3}}, {[]int{1, 1, 3}, []int{1, 4, 4, 3}}, {[]int{2, 1}, []int{2, 5}}, {[]int{}, []int{3, 2}}, {[]int{4, 1, 2}, []int{3, 4, 2, 2}},
}

func broadcastToCases() []opCase { return broadcastToCasesFor(broadcastToTable) }

func broadcastToCasesFor(table []bcCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_to%v", p.in, p.to))
	}
	return moveCases("BROADCAST_TO", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		w := moveWant(in, p.to, func(idx []int) int { return broadcastIndex(idx, p.in, p.to) })
		g := NewGraph()
		gi := g.in(in)
		g.Op(schema.OpBroadcastTo, []int32{gi, g.ints(p.to...)}, []int32{g.out(w.out)}, nil)
		return g, []*tensor{in}, []want{w}
	})
}

type dsCase struct {
	in    []int
	block int
}

var depthSpaceTable = []dsCase{{[]int{1, 2, 2, 4}, 2}, {[]int{1, 3, 2, 18}, 3}, {[]int{2, 1, 1, 8}, 2}, {[]int{1, 4, 4, 4}, 1}, {[]int{1, 2, 3, 12}, 2}}

func depthSpaceCases() []opCase { return depthSpaceCasesFor(depthSpaceTable) }

func depthSpaceCasesFor(table []dsCase) []opCase {
	var cs []opCase
	for _, toSpace := range []bool{true, false} {
		op := "DEPTH_TO_SPACE"
		if !toSpace {
			op = "SPACE_TO_DEPTH"
		}
		var names []string
		for _, p := range table {
			names = append(names, fmt.Sprintf("in%v_block%d", p.in, p.block))
		}
		cs = append(cs, moveCases(op, names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
			p := table[k]
			b := p.block
			n, h, wd, c := p.in[0], p.in[1], p.in[2], p.in[3]
			inShape, outShape := p.in, []int{n, h * b, wd * b, c / (b * b)}
			if !toSpace {
				// The reverse: the depth-to-space output is the input.
				inShape, outShape = outShape, p.in
			}
			in := randTensor(r, d, inShape, -2, 3)
			oc := p.in[3] / (b * b) // depth of the space-side tensor
			w := moveWant(in, outShape, func(idx []int) int {
				if toSpace {
					y, x, ch := idx[1], idx[2], idx[3]
					return flat([]int{idx[0], y / b, x / b, ((y%b)*b+x%b)*oc + ch}, inShape)
				}
				z := idx[3]
				blk, ch := z/oc, z%oc
				return flat([]int{idx[0], idx[1]*b + blk/b, idx[2]*b + blk%b, ch}, inShape)
			})
			g := NewGraph()
			gi := g.in(in)
			if toSpace {
				g.Op(schema.OpDepthToSpace, []int32{gi}, []int32{g.out(w.out)}, &schema.DepthToSpaceOptions{BlockSize: int32(b)})
			} else {
				g.Op(schema.OpSpaceToDepth, []int32{gi}, []int32{g.out(w.out)}, &schema.SpaceToDepthOptions{BlockSize: int32(b)})
			}
			return g, []*tensor{in}, []want{w}
		})...)
	}
	return cs
}

type mirrorCase struct {
	in   []int
	pads []int
	mode schema.MirrorPadMode
}

var mirrorTable = []mirrorCase{
	{[]int{1, 4, 4, 3}, []int{0, 0, 1, 1, 1, 1, 0, 0}, schema.MirrorReflect},
	{[]int{1, 4, 4, 3}, []int{0, 0, 2, 1, 1, 2, 0, 0}, schema.MirrorSymmetric},
	{[]int{5}, []int{4, 4}, schema.MirrorReflect},
	{[]int{3}, []int{3, 3}, schema.MirrorSymmetric},
	{[]int{2, 3}, []int{1, 1, 2, 0}, schema.MirrorReflect},
	{[]int{2, 2, 3}, []int{1, 0, 0, 2, 2, 2}, schema.MirrorSymmetric},
}

func mirrorPadCases() []opCase { return mirrorPadCasesFor(mirrorTable) }

func mirrorPadCasesFor(table []mirrorCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_pads%v_mode%d", p.in, p.pads, p.mode))
	}
	return moveCases("MIRROR_PAD", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		shape := make([]int, len(p.in))
		for a, n := range p.in {
			shape[a] = n + p.pads[2*a] + p.pads[2*a+1]
		}
		w := moveWant(in, shape, func(idx []int) int {
			src := make([]int, len(idx))
			for a, o := range idx {
				x, n := o-p.pads[2*a], p.in[a]
				switch {
				case x < 0 && p.mode == schema.MirrorReflect:
					x = -x
				case x < 0:
					x = -x - 1
				case x >= n && p.mode == schema.MirrorReflect:
					x = 2*n - 2 - x
				case x >= n:
					x = 2*n - 1 - x
				}
				src[a] = x
			}
			return flat(src, p.in)
		})
		g := NewGraph()
		gi := g.in(in)
		pads := g.Const("paddings", schema.Int32, []int{len(p.in), 2}, nil, Int32Bytes(int32s(p.pads)))
		g.Op(schema.OpMirrorPad, []int32{gi, pads}, []int32{g.out(w.out)}, &schema.MirrorPadOptions{Mode: p.mode})
		return g, []*tensor{in}, []want{w}
	})
}

func padV2Cases() []opCase {
	var names []string
	for _, p := range padTable {
		names = append(names, fmt.Sprintf("in%v_pads%v", p.in, p.pads))
	}
	return moveCases("PADV2", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := padTable[k]
		in := randTensor(r, d, p.in, -2, 3)
		shape := make([]int, len(p.in))
		for a, n := range p.in {
			shape[a] = n + p.pads[2*a] + p.pads[2*a+1]
		}
		// A pad value other than zero: 1.5 in float, a code in 8-bit.
		val := &tensor{d: d, shape: []int{}, scales: in.scales, zp: in.zp}
		padReal := 1.5
		if d.float() {
			val.f = []float32{1.5}
		} else {
			code := min(max(in.zp+int32(padReal/in.scales[0]+0.5), d.qmin), d.qmax)
			val.q = []int32{code}
			padReal = in.scales[0] * float64(code-in.zp)
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
		for i := range w.real {
			idx := unflatten(i, shape)
			for a, o := range idx {
				if x := o - p.pads[2*a]; x < 0 || x >= p.in[a] {
					w.real[i] = padReal
					break
				}
			}
		}
		g := NewGraph()
		gi := g.in(in)
		pads := g.Const("paddings", schema.Int32, []int{len(p.in), 2}, nil, Int32Bytes(int32s(p.pads)))
		g.Op(schema.OpPadV2, []int32{gi, pads, g.konst(val)}, []int32{g.out(w.out)}, nil)
		return g, []*tensor{in}, []want{w}
	})
}

type resizeCase struct {
	in          []int
	oh, ow      int
	align, half bool
}

var resizeNNTable = []resizeCase{
	{[]int{1, 2, 2, 3}, 4, 4, false, false},
	{[]int{1, 3, 5, 2}, 7, 4, false, false},
	{[]int{2, 4, 4, 1}, 2, 3, false, true},
	{[]int{1, 3, 3, 2}, 5, 5, true, false},
	{[]int{1, 5, 3, 1}, 9, 6, true, true},
	{[]int{1, 7, 7, 2}, 3, 10, false, true},
}

// refNearest is TFLite's reference nearest-neighbour source index (the
// computation in float32, as TFLite does it).
func refNearest(i, in, out int, align, half bool) int {
	scale := float32(in) / float32(out)
	if align && out > 1 {
		scale = float32(in-1) / float32(out-1)
	}
	off := float32(0)
	if half {
		off = 0.5
	}
	x := (float32(i) + off) * scale
	var v int
	if align {
		v = int(roundHalfAway(float64(x)))
	} else {
		v = int(floor(float64(x)))
	}
	v = min(v, in-1)
	if half {
		v = max(v, 0)
	}
	return v
}

func resizeNearestCases() []opCase { return resizeNearestCasesFor(resizeNNTable) }

func resizeNearestCasesFor(table []resizeCase) []opCase {
	var names []string
	for _, p := range table {
		names = append(names, fmt.Sprintf("in%v_to%dx%d_align%v_half%v", p.in, p.oh, p.ow, p.align, p.half))
	}
	return moveCases("RESIZE_NEAREST_NEIGHBOR", names, func(r *rand.Rand, d dtype, k int) (*Graph, []*tensor, []want) {
		p := table[k]
		in := randTensor(r, d, p.in, -2, 3)
		shape := []int{p.in[0], p.oh, p.ow, p.in[3]}
		w := moveWant(in, shape, func(idx []int) int {
			y := refNearest(idx[1], p.in[1], p.oh, p.align, p.half)
			x := refNearest(idx[2], p.in[2], p.ow, p.align, p.half)
			return flat([]int{idx[0], y, x, idx[3]}, p.in)
		})
		g := NewGraph()
		gi := g.in(in)
		g.Op(schema.OpResizeNearestNeighbor, []int32{gi, g.ints(p.oh, p.ow)}, []int32{g.out(w.out)}, &schema.ResizeNearestNeighborOptions{AlignCorners: p.align, HalfPixelCenters: p.half})
		return g, []*tensor{in}, []want{w}
	})
}
