package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpExpandDims] = (*prep).prepExpandDims
	preparers[schema.OpBroadcastTo] = (*prep).prepBroadcastTo
	preparers[schema.OpDepthToSpace] = func(p *prep) (kernel, int64, error) { return p.prepDepthSpace(true) }
	preparers[schema.OpSpaceToDepth] = func(p *prep) (kernel, int64, error) { return p.prepDepthSpace(false) }
	preparers[schema.OpMirrorPad] = (*prep).prepMirrorPad
	preparers[schema.OpResizeNearestNeighbor] = (*prep).prepResizeNearest
}

// prepExpandDims: EXPAND_DIMS(input, axis) inserts a dimension of 1.
func (p *prep) prepExpandDims() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	a, err := p.scalarInt(1, "axis")
	if err != nil {
		return nil, 0, err
	}
	axis, err := p.resolveAxis(a, len(in.shape)+1)
	if err != nil {
		return nil, 0, err
	}
	shape := append(append(append([]int(nil), in.shape[:axis]...), 1), in.shape[axis:]...)
	iout, _, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return nil, 0, err
	}
	return &copyK{in: iin, out: iout}, 0, nil
}

// prepBroadcastTo: BROADCAST_TO(input, shape).
func (p *prep) prepBroadcastTo() (kernel, int64, error) {
	iin, in, shape, err := p.dataAndConstInts("shape")
	if err != nil {
		return nil, 0, err
	}
	if len(shape) < len(in.shape) || len(shape) > 8 {
		return nil, 0, p.bad("cannot broadcast %s to %v", shapeString(in.shape), shape)
	}
	if n, ok := numElements(shape); !ok || n > maxTensorBytes/in.dtype.Size() {
		return nil, 0, p.bad("cannot broadcast to %v: negative or too large", shape)
	}
	off := len(shape) - len(in.shape)
	stride := kernels.Strides(in.shape)
	r := kernels.Remap{Map: make([][]int, len(shape))}
	for d, n := range shape {
		if n < 0 {
			return nil, 0, p.bad("cannot broadcast %s to %v", shapeString(in.shape), shape)
		}
		m := make([]int, n)
		if j := d - off; j >= 0 {
			switch in.shape[j] {
			case n:
				for i := range m {
					m[i] = i * stride[j]
				}
			case 1:
			default:
				return nil, 0, p.bad("cannot broadcast %s to %v", shapeString(in.shape), shape)
			}
		}
		r.Map[d] = m
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, shape, r); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// prepDepthSpace: DEPTH_TO_SPACE (toSpace) or SPACE_TO_DEPTH of a 4-D
// NHWC tensor with block size b. Both are per-axis remaps: an output
// index splits into a block offset and an index within the block.
func (p *prep) prepDepthSpace(toSpace bool) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	b := 0
	if toSpace {
		if o, err := options[schema.DepthToSpaceOptions](p); err == nil {
			b = int(o.BlockSize)
		}
	} else if o, err := options[schema.SpaceToDepthOptions](p); err == nil {
		b = int(o.BlockSize)
	}
	if len(in.shape) != 4 || b < 1 {
		return nil, 0, p.bad("block size %d for input %s (want 4-D and block size ≥ 1)", b, shapeString(in.shape))
	}
	n, h, w, c := in.shape[0], in.shape[1], in.shape[2], in.shape[3]
	s := kernels.Strides(in.shape)
	r := kernels.Remap{Map: make([][]int, 4)}
	var shape []int
	seq := func(k, st int) []int {
		m := make([]int, k)
		for i := range m {
			m[i] = i * st
		}
		return m
	}
	r.Map[0] = seq(n, s[0])
	if toSpace {
		if c%(b*b) != 0 {
			return nil, 0, p.bad("depth %d is not a multiple of block size² %d", c, b*b)
		}
		oc := c / (b * b)
		shape = []int{n, h * b, w * b, oc}
		r.Map[1] = make([]int, h*b)
		for y := range r.Map[1] {
			r.Map[1][y] = (y/b)*s[1] + (y%b)*b*oc
		}
		r.Map[2] = make([]int, w*b)
		for x := range r.Map[2] {
			r.Map[2][x] = (x/b)*s[2] + (x%b)*oc
		}
		r.Map[3] = seq(oc, 1)
	} else {
		if h%b != 0 || w%b != 0 {
			return nil, 0, p.bad("height %d and width %d must be multiples of block size %d", h, w, b)
		}
		shape = []int{n, h / b, w / b, c * b * b}
		r.Map[1] = seq(h/b, b*s[1])
		r.Map[2] = seq(w/b, b*s[2])
		r.Map[3] = make([]int, c*b*b)
		for z := range r.Map[3] {
			blk, ch := z/c, z%c
			r.Map[3][z] = (blk/b)*s[1] + (blk%b)*s[2] + ch
		}
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, shape, r); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// prepMirrorPad: MIRROR_PAD(input, paddings), REFLECT or SYMMETRIC, with
// TFLite's index mapping (mirror_pad.cc GetInputDimension).
func (p *prep) prepMirrorPad() (kernel, int64, error) {
	iin, in, pads, err := p.dataAndConstInts("paddings")
	if err != nil {
		return nil, 0, err
	}
	mode := schema.MirrorReflect
	if o, err := options[schema.MirrorPadOptions](p); err == nil {
		mode = o.Mode
	}
	offset := 1
	if mode == schema.MirrorSymmetric {
		offset = 0
	} else if mode != schema.MirrorReflect {
		return nil, 0, p.bad("mirror pad mode %d is neither REFLECT nor SYMMETRIC", mode)
	}
	rank := len(in.shape)
	if rank > 6 || len(pads) != 2*rank {
		return nil, 0, p.bad("paddings %v for a %d-D input", pads, rank)
	}
	stride := kernels.Strides(in.shape)
	r := kernels.Remap{Map: make([][]int, rank)}
	shape := make([]int, rank)
	for d := range rank {
		before, after, dim := pads[2*d], pads[2*d+1], in.shape[d]
		if before < 0 || after < 0 || before > dim-offset || after > dim-offset {
			return nil, 0, p.bad("paddings %d, %d of axis %d exceed what mirroring %d elements allows", before, after, d, dim)
		}
		shape[d] = dim + before + after
		m := make([]int, shape[d])
		for o := range m {
			m[o] = mirrorIndex(o, before, dim, offset) * stride[d]
		}
		r.Map[d] = m
	}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, shape, r); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// mirrorIndex maps padded index o to the input index (offset 1 reflects
// without repeating the edge, 0 repeats it).
func mirrorIndex(o, before, dim, offset int) int {
	if o < before {
		orig := before + offset - 1
		return orig - min(o, orig-offset)
	}
	o -= before
	if o >= dim {
		o -= dim
		orig := dim - (1 + offset)
		return orig - min(o, orig)
	}
	return o
}

// prepResizeNearest: RESIZE_NEAREST_NEIGHBOR(input, size) of a 4-D NHWC
// tensor. uint8 without align_corners or half_pixel_centers uses TFLite's
// optimized 16.16 fixed-point scale; everything else the reference float
// computation.
func (p *prep) prepResizeNearest() (kernel, int64, error) {
	iin, in, size, err := p.dataAndConstInts("size")
	if err != nil {
		return nil, 0, err
	}
	if len(in.shape) != 4 || len(size) != 2 || size[0] < 1 || size[1] < 1 {
		return nil, 0, p.bad("input %s and size %v (want 4-D NHWC and 2 positive sizes)", shapeString(in.shape), size)
	}
	o, _ := options[schema.ResizeNearestNeighborOptions](p)
	if o == nil {
		o = &schema.ResizeNearestNeighborOptions{}
	}
	n, h, w, c := in.shape[0], in.shape[1], in.shape[2], in.shape[3]
	oh, ow := size[0], size[1]
	if total, ok := numElements([]int{n, oh, ow, c}); !ok || total > maxTensorBytes/in.dtype.Size() {
		return nil, 0, p.bad("output %dx%d is too large", oh, ow)
	}
	s := kernels.Strides(in.shape)
	fixed := in.dtype == infer.UInt8 && !o.AlignCorners && !o.HalfPixelCenters
	axisMap := func(insz, outsz, stride int) []int {
		m := make([]int, outsz)
		for i := range m {
			var v int
			if fixed {
				scale := int32(insz<<16)/int32(outsz) + 1
				v = min(int(int32(i)*scale>>16), insz-1)
			} else {
				v = nearestIndex(i, insz, outsz, o.AlignCorners, o.HalfPixelCenters)
			}
			m[i] = v * stride
		}
		return m
	}
	r := kernels.Remap{Map: [][]int{
		kernels.NewRemapStrided([]int{n}, []int{0}, []int{1}, []int{s[0]}).Map[0],
		axisMap(h, oh, s[1]),
		axisMap(w, ow, s[2]),
		kernels.NewRemapStrided([]int{c}, []int{0}, []int{1}, []int{1}).Map[0],
	}}
	k := &remapK{in: iin, size: in.dtype.Size()}
	if err := p.remapOut(k, 0, in, []int{n, oh, ow, c}, r); err != nil {
		return nil, 0, err
	}
	return k, 0, nil
}

// nearestIndex is TFLite's reference GetNearestNeighbor, in float32.
func nearestIndex(i, insz, outsz int, align, half bool) int {
	scale := float32(insz) / float32(outsz)
	if align && outsz > 1 {
		scale = float32(insz-1) / float32(outsz-1)
	}
	var off float32
	if half {
		off = 0.5
	}
	x := float32(float32(i)+off) * scale
	var v int
	if align {
		v = int(roundHalfAwayF32(x))
	} else {
		v = int(floorF32(x))
	}
	v = min(v, insz-1)
	if half {
		v = max(v, 0)
	}
	return v
}
