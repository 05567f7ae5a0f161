package optest

import (
	"fmt"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// moreFuzzOps is how many operator families fuzzMoreCase adds to the
// random single-op graphs.
const moreFuzzOps = 14

// pickCase returns the case of cs whose dtype is d (cs built from a
// one-row table), or false.
func pickCase(cs []opCase, d dtype) (opCase, bool) {
	for _, c := range cs {
		if c.dtype == d.name {
			return c, true
		}
	}
	return opCase{}, false
}

// fuzzMoreCase builds random parameters for the operators added after the
// first twenty (k in [0, moreFuzzOps)).
func fuzzMoreCase(f *fuzzBytes, k int, d dtype, act schema.Activation) (opCase, bool) {
	switch k {
	case 0: // SUB, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU
		b := binOps[f.n(len(binOps))]
		ok := b.types == nil
		for _, t := range b.types {
			ok = ok || t == d
		}
		if !ok {
			return opCase{}, false
		}
		if !b.fused {
			act = schema.ActNone
		}
		a := f.shape(f.in(1, 4), 4)
		c := append([]int(nil), a[f.n(len(a)):]...)
		for i := range c {
			if f.n(2) == 0 {
				c[i] = 1
			}
		}
		if b.op != schema.OpPrelu {
			for i := range a {
				if f.n(4) == 0 {
					a[i] = 1
				}
			}
			if f.n(2) == 0 {
				a, c = c, a
			}
		}
		p := binCase{a: a, b: c}
		return opCase{op: b.name, dtype: d.name, act: actNames[act], params: fmt.Sprintf("%v_%v", a, c),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildBinaryOp(r, d, act, p, b) }}, true
	case 1: // the newer elementwise ops
		u := moreUnaryOps[f.n(len(moreUnaryOps))]
		ok := u.types == nil
		for _, t := range u.types {
			ok = ok || t == d
		}
		if !ok {
			return opCase{}, false
		}
		shape, widen := f.shape(f.in(1, 4), 5), 0.25*float64(f.in(1, 8))
		return opCase{op: u.name, dtype: d.name, act: "none", params: fmt.Sprintf("in%v_range%g", shape, widen),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, d, u, shape, widen, false) }}, true
	case 2:
		in := f.shape(f.in(1, 5), 5)
		p := sliceCase{in: in}
		for _, n := range in {
			b := f.n(n)
			s := f.in(0, n-b)
			if f.n(4) == 0 {
				s = -1
			}
			p.begin, p.size = append(p.begin, b), append(p.size, s)
		}
		return pickCase(sliceCasesFor([]sliceCase{p}), d)
	case 3:
		in := f.shape(f.in(1, 4), 6)
		p := stridedCase{in: in}
		for i, n := range in {
			s := f.in(1, 3)
			if f.n(3) == 0 {
				s = -s
			}
			p.begin = append(p.begin, f.in(-n, n))
			p.end = append(p.end, f.in(-n-1, n+1))
			p.strides = append(p.strides, s)
			bit := int32(1) << uint(i)
			if f.n(4) == 0 {
				p.o.BeginMask |= bit
			}
			if f.n(4) == 0 {
				p.o.EndMask |= bit
			}
			if f.n(6) == 0 {
				p.o.ShrinkAxisMask |= bit
				p.begin[i] = f.in(-n, n-1)
			}
		}
		// An empty result along a kept axis is fine; TFLite gives it too.
		return pickCase(stridedSliceCasesFor([]stridedCase{p}), d)
	case 4:
		in := f.shape(f.in(1, 4), 6)
		axis := f.n(len(in))
		if f.n(2) == 0 {
			n := 1
			for _, k := range []int{1, 2, 3, 4, 6} {
				if in[axis]%k == 0 && f.n(2) == 0 {
					n = k
				}
			}
			return pickCase(splitCasesFor(false, []splitCase{{in: in, axis: axis, n: n}}), d)
		}
		var sizes []int
		left := in[axis]
		for left > 0 && len(sizes) < 3 {
			s := f.in(0, left)
			sizes, left = append(sizes, s), left-s
		}
		sizes = append(sizes, left)
		sizes[f.n(len(sizes))] = -1
		return pickCase(splitCasesFor(true, []splitCase{{in: in, axis: axis, sizes: sizes}}), d)
	case 5:
		params := f.shape(f.in(1, 4), 5)
		axis := f.n(len(params))
		p := gatherCase{params: params, axis: axis, indices: f.shape(f.in(0, 2), 3)}
		for range numel(p.indices) {
			p.idxs = append(p.idxs, f.n(params[axis]))
		}
		return pickCase(gatherCasesFor([]gatherCase{p}), d)
	case 6:
		in := f.shape(f.in(1, 4), 4)
		p := mirrorCase{in: in, mode: schema.MirrorPadMode(f.n(2))}
		for _, n := range in {
			lim := n
			if p.mode == schema.MirrorReflect {
				lim = n - 1
			}
			p.pads = append(p.pads, f.in(0, lim), f.in(0, lim))
		}
		return pickCase(mirrorPadCasesFor([]mirrorCase{p}), d)
	case 7:
		p := resizeCase{in: []int{f.in(1, 2), f.in(1, 6), f.in(1, 6), f.in(1, 4)}, oh: f.in(1, 13), ow: f.in(1, 13)}
		switch f.n(3) {
		case 1:
			p.align = true
		case 2:
			p.half = true
		}
		if f.n(2) == 0 {
			return pickCase(resizeNearestCasesFor([]resizeCase{p}), d)
		}
		return pickCase(resizeBilinearCasesFor([]resizeCase{p}), d)
	case 8:
		b := f.in(1, 3)
		p := dsCase{in: []int{f.in(1, 2), f.in(1, 4), f.in(1, 4), f.in(1, 3) * b * b}, block: b}
		return pickCase(depthSpaceCasesFor([]dsCase{p}), d)
	case 9:
		in := f.shape(f.in(0, 4), 4)
		to := append([]int(nil), in...)
		for i := range to {
			if f.n(3) == 0 {
				to[i] = 1
			}
		}
		full := append([]int(nil), to...)
		for i := range full {
			if full[i] == 1 {
				full[i] = f.in(1, 4)
			}
		}
		target := append(f.shape(f.n(2), 3), full...)
		if len(target) == 0 {
			return opCase{}, false // an empty shape constant has no buffer
		}
		return pickCase(broadcastToCasesFor([]bcCase{{in: to, to: target}}), d)
	case 10:
		in := f.shape(f.in(0, 4), 4)
		switch f.n(3) {
		case 0:
			return pickCase(packCasesFor([]packCase{{in: in, n: f.in(1, 4), axis: f.in(-len(in)-1, len(in))}}), d)
		case 1:
			if len(in) == 0 {
				return opCase{}, false
			}
			return pickCase(unpackCasesFor([]axisCase{{in: in, axis: f.in(-len(in), len(in)-1)}}), d)
		}
		return pickCase(expandDimsCasesFor([]axisCase{{in: in, axis: f.in(-len(in)-1, len(in))}}), d)
	case 11, 12:
		p := meanCase{in: f.shape(f.in(1, 4), 5), keep: f.n(2) == 0}
		for a := range p.in {
			if f.n(2) == 0 {
				p.axes = append(p.axes, a-f.n(2)*len(p.in))
			}
		}
		if p.axes == nil {
			p.axes = []int{len(p.in) - 1}
		}
		if k == 12 {
			return pickCase(argCasesFor([]argCase{{in: p.in, axis: p.axes[0]}}), d)
		}
		ro := reduceOps[f.n(3)] // SUM, REDUCE_MAX, REDUCE_MIN
		return pickCase(reduceCasesFor(ro, []meanCase{p}), d)
	case 13: // hybrid FULLY_CONNECTED and BATCH_MATMUL
		if !d.float() {
			return opCase{}, false
		}
		p := fcCase{in: f.shape(f.in(1, 3), 9), units: f.in(1, 9), keepDims: f.n(2) == 0, perTensor: f.n(2) == 0, noBias: f.n(4) == 0}
		asym := f.n(2) == 0
		return opCase{op: "FULLY_CONNECTED", dtype: hybrid, act: actNames[act], params: fmt.Sprintf("%s_asym%v", p, asym),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildHybridFC(r, act, p, asym) }}, true
	}
	return opCase{}, false
}
