package tflite

import (
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpSlice] = (*prep).prepSlice
	preparers[schema.OpStridedSlice] = (*prep).prepStridedSlice
	preparers[schema.OpSplit] = func(p *prep) (kernel, int64, error) { return p.prepSplit(false) }
	preparers[schema.OpSplitV] = func(p *prep) (kernel, int64, error) { return p.prepSplit(true) }
	preparers[schema.OpUnpack] = (*prep).prepUnpack
}

// prepSlice: SLICE(input, begin, size); size −1 means "to the end".
func (p *prep) prepSlice() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	_, bt, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	_, st, err := p.input(2)
	if err != nil {
		return nil, 0, err
	}
	begin, err := p.constInts(bt, "begin")
	if err != nil {
		return nil, 0, err
	}
	size, err := p.constInts(st, "size")
	if err != nil {
		return nil, 0, err
	}
	rank := len(in.shape)
	if len(begin) != rank || len(size) != rank || rank > 6 {
		return nil, 0, p.bad("begin %v and size %v for a %d-D input (at most 6-D)", begin, size, rank)
	}
	n := make([]int, rank)
	for d := range rank {
		b, s := begin[d], size[d]
		if s == -1 {
			s = in.shape[d] - b
		}
		if b < 0 || s < 0 || b+s > in.shape[d] {
			return nil, 0, p.bad("slice begin %v size %v is outside the input %s", begin, size, shapeString(in.shape))
		}
		n[d] = s
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, n, stridedRemap(in.shape, begin, ones(rank), n)); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// clampedIndex is TFLite's ClampedIndex: index into [0, dim] for a
// positive stride, [−1, dim−1] for a negative one, counting negative
// indices from the end.
func clampedIndex(index, dim int, pos bool) int {
	rem := func(a, b int) int { return (b + a%b) % b }
	if pos {
		if index >= dim {
			return dim
		}
		return rem(min(max(index, -dim), dim), dim)
	}
	if index < -dim {
		return -1
	}
	return rem(min(max(index, -dim), dim-1), dim)
}

// prepStridedSlice: STRIDED_SLICE(input, begin, end, strides) with every
// mask, as TensorFlow defines them (ellipsis, new axes, shrinking).
func (p *prep) prepStridedSlice() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	var spec [3][]int
	for i, what := range []string{"begin", "end", "strides"} {
		_, t, err := p.input(i + 1)
		if err != nil {
			return nil, 0, err
		}
		if spec[i], err = p.constInts(t, what); err != nil {
			return nil, 0, err
		}
	}
	begin, end, strides := spec[0], spec[1], spec[2]
	o, _ := options[schema.StridedSliceOptions](p)
	if o == nil {
		o = &schema.StridedSliceOptions{}
	}
	ns := len(begin)
	if len(end) != ns || len(strides) != ns || ns > 32 {
		return nil, 0, p.bad("begin, end and strides have %d, %d and %d values", len(begin), len(end), len(strides))
	}
	bit := func(m int32, i int) bool { return m>>uint(i)&1 != 0 }
	rank := len(in.shape)
	if rank > 6 {
		return nil, 0, p.unsupported("STRIDED_SLICE of a %d-D tensor (at most 6-D)", rank)
	}
	// Expand the sparse spec to one entry per input axis (plus new axes).
	type entry struct {
		newAxis     bool
		axis        int
		start, step int
		count       int
		shrink      bool
	}
	var entries []entry
	full := func(d int) entry { return entry{axis: d, step: 1, count: in.shape[d]} }
	d := 0
	sawEllipsis := false
	for i := 0; i < ns; i++ {
		switch {
		case bit(o.EllipsisMask, i) && !sawEllipsis:
			sawEllipsis = true
			after := 0
			for j := i + 1; j < ns; j++ {
				if !bit(o.NewAxisMask, j) {
					after++
				}
			}
			for ; d < rank-after; d++ {
				entries = append(entries, full(d))
			}
			continue
		case bit(o.NewAxisMask, i):
			entries = append(entries, entry{newAxis: true, count: 1})
			continue
		}
		if d >= rank {
			return nil, 0, p.bad("slice spec has more axes than the %d-D input", rank)
		}
		dim, s := in.shape[d], strides[i]
		if s == 0 {
			return nil, 0, p.bad("stride of axis %d is 0", d)
		}
		pos := s > 0
		var b, e int
		if bit(o.BeginMask, i) {
			b = dim - 1 // the first element walking backwards
			if pos {
				b = 0
			}
		} else {
			b = clampedIndex(begin[i], dim, pos)
		}
		shrink := bit(o.ShrinkAxisMask, i)
		switch {
		case shrink:
			bi := begin[i]
			if bi < 0 {
				bi += dim
			}
			if bi < 0 || bi >= dim {
				return nil, 0, p.bad("shrunk axis %d index %d is outside 0..%d", d, begin[i], dim-1)
			}
			b, e, s = bi, bi+1, 1
		case bit(o.EndMask, i):
			e = -1 // one before the first element
			if pos {
				e = dim
			}
		case o.Offset:
			e = clampedIndex(begin[i]+end[i], dim, pos)
		default:
			e = clampedIndex(end[i], dim, pos)
		}
		n := 0
		if pos && e > b {
			n = (e - b + s - 1) / s
		} else if !pos && e < b {
			n = (b - e - s - 1) / -s
		}
		entries = append(entries, entry{axis: d, start: b, step: s, count: n, shrink: shrink})
		d++
	}
	for ; d < rank; d++ {
		entries = append(entries, full(d))
	}
	stride := kernels.Strides(in.shape)
	var r kernels.Remap
	var shape []int
	for _, en := range entries {
		switch {
		case en.newAxis:
			r.Map = append(r.Map, []int{0})
			shape = append(shape, 1)
		case en.shrink:
			r.Base += en.start * stride[en.axis]
		default:
			m := make([]int, en.count)
			for i := range m {
				m[i] = (en.start + i*en.step) * stride[en.axis]
			}
			r.Map = append(r.Map, m)
			shape = append(shape, en.count)
		}
	}
	if len(shape) > 8 {
		return nil, 0, p.unsupported("STRIDED_SLICE output of rank %d", len(shape))
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, shape, r); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// prepSplit: SPLIT(axis, input) into num_splits equal parts, or
// SPLIT_V(input, size_splits, axis) with one size possibly −1.
func (p *prep) prepSplit(v bool) (kernel, int64, error) {
	dataIdx, axisIdx := 1, 0
	if v {
		dataIdx, axisIdx = 0, 2
	}
	iin, in, err := p.input(dataIdx)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	a, err := p.scalarInt(axisIdx, "axis")
	if err != nil {
		return nil, 0, err
	}
	rank := len(in.shape)
	axis, err := p.resolveAxis(a, rank)
	if err != nil {
		return nil, 0, err
	}
	nout := len(p.op.Outputs)
	if nout == 0 {
		return nil, 0, p.bad("no outputs")
	}
	dim := in.shape[axis]
	sizes := make([]int, nout)
	if v {
		_, st, err := p.input(1)
		if err != nil {
			return nil, 0, err
		}
		if sizes, err = p.constInts(st, "size_splits"); err != nil {
			return nil, 0, err
		}
		if len(sizes) != nout {
			return nil, 0, p.bad("%d size_splits for %d outputs", len(sizes), nout)
		}
		unknown, sum := -1, 0
		for i, s := range sizes {
			switch {
			case s == -1 && unknown < 0:
				unknown = i
			case s < 0:
				return nil, 0, p.bad("size_splits %v has a negative or second -1 value", sizes)
			default:
				sum += s
			}
		}
		if unknown >= 0 {
			sizes[unknown] = dim - sum
			sum = dim
		}
		if sum != dim || (unknown >= 0 && sizes[unknown] < 0) {
			return nil, 0, p.bad("size_splits %v do not add up to axis %d of %s", sizes, axis, shapeString(in.shape))
		}
	} else {
		if o, err := options[schema.SplitOptions](p); err == nil && int(o.NumSplits) != nout {
			return nil, 0, p.bad("num_splits %d but %d outputs", o.NumSplits, nout)
		}
		if dim%nout != 0 {
			return nil, 0, p.bad("axis %d of %s does not split into %d equal parts", axis, shapeString(in.shape), nout)
		}
		for i := range sizes {
			sizes[i] = dim / nout
		}
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	startAt := make([]int, rank)
	for i, s := range sizes {
		n := append([]int(nil), in.shape...)
		n[axis] = s
		if err := p.remapOut(k, i, in, n, stridedRemap(in.shape, startAt, ones(rank), n)); err != nil {
			return nil, 0, err
		}
		startAt = append([]int(nil), startAt...)
		startAt[axis] += s
	}
	return k, 0, nil
}

// prepUnpack: UNPACK(input) along axis into num outputs, each without that
// axis.
func (p *prep) prepUnpack() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	o, _ := options[schema.UnpackOptions](p)
	if o == nil {
		o = &schema.UnpackOptions{}
	}
	rank := len(in.shape)
	axis, err := p.resolveAxis(int(o.Axis), rank)
	if err != nil {
		return nil, 0, err
	}
	if int(o.Num) != in.shape[axis] || len(p.op.Outputs) != in.shape[axis] {
		return nil, 0, p.bad("num %d and %d outputs for axis %d of %s", o.Num, len(p.op.Outputs), axis, shapeString(in.shape))
	}
	stride := kernels.Strides(in.shape)
	k := &remapK{in: iin, size: in.dtype.Size()}
	for i := range in.shape[axis] {
		var shape, start, n, st []int
		for d := range rank {
			if d != axis {
				shape = append(shape, in.shape[d])
				start = append(start, 0)
				st = append(st, stride[d])
			}
		}
		n = shape
		r := kernels.NewRemapStrided(n, start, ones(len(n)), st)
		r.Base = i * stride[axis]
		if err := p.remapOut(k, i, in, shape, r); err != nil {
			return nil, 0, err
		}
	}
	return k, 0, nil
}
