package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// copyK copies bytes (RESHAPE, SQUEEZE: same data, new shape).
type copyK struct{ in, out int }

func (k *copyK) run(x *execCtx) { copy(x.bufs[k.out], x.bufs[k.in]) }

func (p *prep) prepReshape() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	var want []int
	_, st, err := p.optInput(1)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case st != nil && len(st.shape) == 1 && st.isConst():
		if want, err = p.constInts(st, "shape"); err != nil {
			return nil, 0, err
		}
	default:
		if o, err := options[schema.ReshapeOptions](p); err == nil && o.NewShape != nil {
			for _, d := range o.NewShape {
				want = append(want, int(d))
			}
		} else if len(p.op.Outputs) > 0 && p.op.Outputs[0] >= 0 {
			for _, d := range p.sg.Tensors[p.op.Outputs[0]].Shape {
				want = append(want, int(d))
			}
		}
	}
	n, _ := numElements(in.shape)
	shape, err := p.resolveShape(want, n)
	if err != nil {
		return nil, 0, err
	}
	iout, _, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return nil, 0, err
	}
	return &copyK{in: iin, out: iout}, 0, nil
}

// resolveShape fills one -1 in want so the product is n.
func (p *prep) resolveShape(want []int, n int) ([]int, error) {
	shape := append([]int(nil), want...)
	unknown, prod := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d < 0:
			return nil, p.bad("new shape %s has a negative or second -1 dimension", shapeString(want))
		default:
			prod *= d
			if prod > maxTensorBytes {
				return nil, p.bad("new shape %s is too large", shapeString(want))
			}
		}
	}
	if unknown >= 0 {
		if prod == 0 || n%prod != 0 {
			return nil, p.bad("cannot reshape %d elements to %s", n, shapeString(want))
		}
		shape[unknown] = n / prod
		prod = n
	}
	if prod != n {
		return nil, p.bad("cannot reshape %d elements to %s", n, shapeString(want))
	}
	return shape, nil
}

// keepQuant checks that an op which only moves bytes keeps the input's
// quantization.
func (p *prep) keepQuant(in *tensorPlan, iout int) error {
	out := &p.t[iout]
	if is8bit(in.dtype) && out.quant != nil && len(out.quant.Scale) > 0 && (in.scale != out.scale || in.zp != out.zp) {
		return p.unsupported("output quantization (scale %g, zero point %d) differs from the input's (scale %g, zero point %d)", out.scale, out.zp, in.scale, in.zp)
	}
	return nil
}

func (p *prep) prepSqueeze() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	drop := make([]bool, len(in.shape))
	var dims []int32
	if o, err := options[schema.SqueezeOptions](p); err == nil {
		dims = o.SqueezeDims
	}
	if len(dims) == 0 {
		for i, d := range in.shape {
			drop[i] = d == 1
		}
	}
	for _, d := range dims {
		a := int(d)
		if a < 0 {
			a += len(in.shape)
		}
		if a < 0 || a >= len(in.shape) || in.shape[a] != 1 {
			return nil, 0, p.bad("cannot squeeze axis %d of %s", d, shapeString(in.shape))
		}
		drop[a] = true
	}
	shape := []int{}
	for i, d := range in.shape {
		if !drop[i] {
			shape = append(shape, d)
		}
	}
	iout, _, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return nil, 0, err
	}
	return &copyK{in: iin, out: iout}, 0, nil
}

type transposeK struct {
	in, out int
	size    int
	p       kernels.TransposeParams
}

func (k *transposeK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.size {
	case 8:
		kernels.Transpose(&k.p, asU64(in), asU64(out))
	case 4:
		kernels.Transpose(&k.p, asI32(in), asI32(out))
	case 2:
		kernels.Transpose(&k.p, asU16(in), asU16(out))
	default:
		kernels.Transpose(&k.p, in, out)
	}
}

func (p *prep) prepTranspose() (kernel, int64, error) {
	iin, in, perm, err := p.dataAndConstInts("permutation")
	if err != nil {
		return nil, 0, err
	}
	rank := len(in.shape)
	if len(perm) != rank || rank > 6 {
		return nil, 0, p.unsupported("permutation %v for a %d-D input (at most 6-D)", perm, rank)
	}
	seen := make([]bool, rank)
	shape := make([]int, rank)
	for i, a := range perm {
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank || seen[a] {
			return nil, 0, p.bad("permutation %v is not a permutation of %d axes", perm, rank)
		}
		seen[a] = true
		perm[i] = a
		shape[i] = in.shape[a]
	}
	iout, _, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	if err := p.keepQuant(in, iout); err != nil {
		return nil, 0, err
	}
	return &transposeK{in: iin, out: iout, size: in.dtype.Size(), p: kernels.TransposeParams{InShape: in.shape, Perm: perm}}, 0, nil
}

type padK struct {
	in, out int
	size    int
	p       kernels.PadParams
	pad8    uint8
}

func (k *padK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.size {
	case 8:
		kernels.Pad(&k.p, asU64(in), asU64(out), 0)
	case 4:
		kernels.Pad(&k.p, asF32(in), asF32(out), 0)
	case 2:
		kernels.Pad(&k.p, asU16(in), asU16(out), 0)
	default:
		kernels.Pad(&k.p, in, out, k.pad8)
	}
}

func (p *prep) prepPad() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return nil, 0, err
	}
	_, pt, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	if len(p.op.Inputs) > 2 && p.op.Inputs[2] >= 0 {
		return p.prepPadV2()
	}
	kp, shape, err := p.padParams(in, pt)
	if err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &padK{in: iin, out: iout, size: in.dtype.Size(), p: kp}
	if is8bit(in.dtype) {
		if err := p.sameQuant(in, out); err != nil {
			return nil, 0, err
		}
		k.pad8 = uint8(out.zp)
	}
	return k, 0, nil
}

type concatK struct {
	ins     []int
	out     int
	size    int
	outer   int
	inner   []int // in elements
	rescale []kernels.ConcatQuantInput
	zp      int32
	dtype   infer.DType
	actMin  float32
	actMax  float32
}

func (k *concatK) run(x *execCtx) {
	out := x.bufs[k.out]
	o := 0
	for b := 0; b < k.outer; b++ {
		for i, ti := range k.ins {
			n := k.inner[i] * k.size
			src := x.bufs[ti][b*n : b*n+n]
			dst := out[o : o+n]
			switch {
			case k.rescale != nil && k.rescale[i].Rescale && k.dtype == infer.UInt8:
				kernels.RescaleQuant(&k.rescale[i], k.zp, src, dst)
			default:
				copy(dst, src)
			}
			o += n
		}
	}
	if k.dtype == infer.Float32 {
		kernels.ClampFloat32(asF32(out), k.actMin, k.actMax)
	}
}

func (p *prep) prepConcat() (kernel, int64, error) {
	o, err := options[schema.ConcatenationOptions](p)
	if err != nil {
		return nil, 0, p.bad("CONCATENATION without options")
	}
	ka, err := p.activation(o.Activation)
	if err != nil {
		return nil, 0, err
	}
	if len(p.op.Inputs) == 0 {
		return nil, 0, p.bad("no inputs")
	}
	_, first, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.anyDType(first, "input 0"); err != nil {
		return nil, 0, err
	}
	rank := len(first.shape)
	axis := int(o.Axis)
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		return nil, 0, p.bad("axis %d out of range for %d-D inputs", o.Axis, rank)
	}
	shape := append([]int(nil), first.shape...)
	shape[axis] = 0
	k := &concatK{size: first.dtype.Size(), dtype: first.dtype}
	var ins []*tensorPlan
	for i := range p.op.Inputs {
		ti, t, err := p.input(i)
		if err != nil {
			return nil, 0, err
		}
		if t.dtype != first.dtype || len(t.shape) != rank {
			return nil, 0, p.bad("input %d is %s%s; inputs must share dtype and rank (%s%s)", i, t.dtype, shapeString(t.shape), first.dtype, shapeString(first.shape))
		}
		for d := range rank {
			if d != axis && t.shape[d] != first.shape[d] {
				return nil, 0, p.bad("input %d shape %s does not match %s outside axis %d", i, shapeString(t.shape), shapeString(first.shape), axis)
			}
		}
		shape[axis] += t.shape[axis]
		k.ins = append(k.ins, ti)
		ins = append(ins, t)
		inner := 1
		for _, d := range t.shape[axis:] {
			inner *= d
		}
		k.inner = append(k.inner, inner)
	}
	k.outer = 1
	for _, d := range first.shape[:axis] {
		k.outer *= d
	}
	iout, out, err := p.output(0, first.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k.out = iout
	if first.dtype == infer.Float32 {
		k.actMin, k.actMax = kernels.FloatActivationRange(ka)
		return k, 0, nil
	}
	if !is8bit(first.dtype) {
		if ka != kernels.ActNone {
			return nil, 0, p.unsupported("%s CONCATENATION with a fused activation", first.dtype)
		}
		return k, 0, nil // int16/int32/int64/bool: the bytes are copied
	}
	if ka != kernels.ActNone {
		return nil, 0, p.unsupported("quantized CONCATENATION with a fused activation")
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	k.zp = out.zp
	k.rescale = make([]kernels.ConcatQuantInput, len(ins))
	inv := 1 / out.scale
	for i, t := range ins {
		if t.scale == out.scale && t.zp == out.zp {
			continue
		}
		if first.dtype == infer.Int8 {
			return nil, 0, p.unsupported("int8 CONCATENATION input %d has scale %g, zero point %d but the output has %g, %d; TFLite requires them equal", i, t.scale, t.zp, out.scale, out.zp)
		}
		sc := t.scale * inv
		k.rescale[i] = kernels.ConcatQuantInput{Rescale: true, Scale: sc, Bias: -float32(t.zp) * sc}
	}
	return k, 0, nil
}

type meanK struct {
	in, out int
	dtype   infer.DType
	hw      bool
	hwp     kernels.MeanHWParams
	red     kernels.Reduction
	inZP    int32
	outZP   int32
	mult    int32
	shift   int
	trunc   bool // equal quantization: TFLite's truncating integer mean
}

func (k *meanK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		kernels.MeanFloat32(&k.red, asF32(in), asF32(out))
	case infer.UInt8:
		if k.hw {
			kernels.MeanHWQuant(&k.hwp, in, out, x.acc)
		} else if k.trunc {
			kernels.MeanTruncQuant(&k.red, in, out, x.acc)
		} else {
			kernels.MeanQuantGeneral(&k.red, k.inZP, k.outZP, k.mult, k.shift, in, out, x.acc)
		}
	case infer.Int16:
		in16, out16 := asI16(in), asI16(out)
		if k.hw {
			kernels.MeanHWInt16(k.hwp.N, k.hwp.H, k.hwp.W, k.hwp.C, k.mult, k.shift, in16, out16)
		} else if k.trunc {
			kernels.MeanTruncQuant(&k.red, in16, out16, x.acc)
		} else {
			kernels.MeanQuantGeneral(&k.red, k.inZP, k.outZP, k.mult, k.shift, in16, out16, x.acc)
		}
	case infer.Int8:
		if k.hw {
			kernels.MeanHWQuant(&k.hwp, as8[int8](in), as8[int8](out), x.acc)
		} else if k.trunc {
			kernels.MeanTruncQuant(&k.red, as8[int8](in), as8[int8](out), x.acc)
		} else {
			kernels.MeanQuantGeneral(&k.red, k.inZP, k.outZP, k.mult, k.shift, as8[int8](in), as8[int8](out), x.acc)
		}
	}
}

func (p *prep) prepMean() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if in.dtype == infer.Int16 {
		if err := p.need16(in, "input"); err != nil {
			return nil, 0, err
		}
	} else if err := p.checkDType(in, "input"); err != nil {
		return nil, 0, err
	}
	_, at, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	axes, err := p.constInts(at, "axis")
	if err != nil {
		return nil, 0, err
	}
	keep := false
	if o, err := options[schema.ReducerOptions](p); err == nil {
		keep = o.KeepDims
	}
	rank := len(in.shape)
	if rank > 6 {
		return nil, 0, p.unsupported("MEAN of a %d-D tensor (at most 6-D)", rank)
	}
	red := make([]bool, rank)
	var order []int
	for _, a := range axes {
		if a < 0 {
			a += rank
		}
		if a < 0 || a >= rank {
			return nil, 0, p.bad("axis %v out of range for %s", axes, shapeString(in.shape))
		}
		if !red[a] {
			order = append(order, a)
		}
		red[a] = true
	}
	shape := []int{}
	for i, d := range in.shape {
		switch {
		case !red[i]:
			shape = append(shape, d)
		case keep:
			shape = append(shape, 1)
		}
	}
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &meanK{in: iin, out: iout, dtype: in.dtype, red: kernels.MakeReduction(in.shape, red)}
	n, _ := numElements(in.shape)
	p.needAcc(k.red.OutSize)
	if in.dtype == infer.Float32 {
		return k, int64(n), nil
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	if in.dtype == infer.Int16 {
		if err := p.need16(out, "output"); err != nil {
			return nil, 0, err
		}
	}
	if keep && rank == 4 && len(order) == 2 && red[1] && red[2] && in.dtype == infer.Int16 {
		// reduce.cc: reference_integer_ops::Mean, multiplier in float64.
		k.hw = true
		k.hwp = kernels.MeanHWParams{N: in.shape[0], H: in.shape[1], W: in.shape[2], C: in.shape[3]}
		k.mult, k.shift = kernels.QuantizeMultiplier(float64(in.scale) / float64(out.scale))
		return k, int64(n), nil
	}
	if keep && rank == 4 && len(order) == 2 && red[1] && red[2] {
		k.hw = true
		k.hwp = kernels.PrepareMeanHW(in.shape[0], in.shape[1], in.shape[2], in.shape[3], in.scale, in.zp, out.scale, out.zp)
		p.needAcc(in.shape[3])
		return k, int64(n), nil
	}
	// reduce.cc: with equal quantization the reference kernel averages
	// codes with a truncating integer division.
	k.trunc = in.scale == out.scale && in.zp == out.zp
	k.inZP, k.outZP = in.zp, out.zp
	k.mult, k.shift = kernels.QuantizeMultiplier(float64(in.scale) / float64(out.scale))
	return k, int64(n), nil
}

// padParams reads PAD's and PADV2's constant paddings ([rank, 2]: before
// and after each dimension) for input in and returns the kernel's
// parameters and the output shape.
func (p *prep) padParams(in, pt *tensorPlan) (kernels.PadParams, []int, error) {
	pads, err := p.constInts(pt, "paddings")
	if err != nil {
		return kernels.PadParams{}, nil, err
	}
	rank := len(in.shape)
	if rank > 6 || len(pads) != 2*rank {
		return kernels.PadParams{}, nil, p.bad("paddings %v for a %d-D input (need %d×2, at most 6-D)", pads, rank, rank)
	}
	kp := kernels.PadParams{InShape: in.shape, Before: make([]int, rank), After: make([]int, rank)}
	shape := make([]int, rank)
	for i := range rank {
		b, a := pads[2*i], pads[2*i+1]
		if b < 0 || a < 0 || b > maxTensorBytes || a > maxTensorBytes {
			return kernels.PadParams{}, nil, p.bad("paddings %v must be non-negative", pads)
		}
		kp.Before[i], kp.After[i] = b, a
		shape[i] = in.shape[i] + b + a
	}
	return kp, shape, nil
}
