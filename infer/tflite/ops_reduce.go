package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpSum] = func(p *prep) (kernel, int64, error) { return p.prepReduce(kernels.ReduceSum) }
	preparers[schema.OpReduceProd] = func(p *prep) (kernel, int64, error) { return p.prepReduce(kernels.ReduceProd) }
	preparers[schema.OpReduceMax] = func(p *prep) (kernel, int64, error) { return p.prepReduce(kernels.ReduceMax) }
	preparers[schema.OpReduceMin] = func(p *prep) (kernel, int64, error) { return p.prepReduce(kernels.ReduceMin) }
	preparers[schema.OpArgMax] = func(p *prep) (kernel, int64, error) { return p.prepArgMinMax(true) }
	preparers[schema.OpArgMin] = func(p *prep) (kernel, int64, error) { return p.prepArgMinMax(false) }
}

// reduceAxes reads the axis input (1) and keep_dims and returns which axes
// are reduced and the output shape.
func (p *prep) reduceAxes(in *tensorPlan) ([]bool, []int, error) {
	_, at, err := p.input(1)
	if err != nil {
		return nil, nil, err
	}
	axes, err := p.constInts(at, "axis")
	if err != nil {
		return nil, nil, err
	}
	keep := false
	if o, err := options[schema.ReducerOptions](p); err == nil {
		keep = o.KeepDims
	}
	rank := len(in.shape)
	if rank > 6 {
		return nil, nil, p.unsupported("%s of a %d-D tensor (at most 6-D)", p.opName, rank)
	}
	red := make([]bool, rank)
	for _, a := range axes {
		a, err := p.resolveAxis(a, rank)
		if err != nil {
			return nil, nil, err
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
	return red, shape, nil
}

// reduceK is SUM, REDUCE_PROD, REDUCE_MAX or REDUCE_MIN.
type reduceK struct {
	in, out int
	kind    kernels.ReduceKind
	dtype   infer.DType
	red     kernels.Reduction
	rescale bool
	sum     kernels.SumRescaleParams
	prod    bool // quantized REDUCE_PROD
	inZP    int32
	outZP   int32
	mult    int32
	shift   int
}

func (k *reduceK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		kernels.ReduceRaw(&k.red, k.kind, asF32(in), asF32(out))
	case infer.Int32:
		kernels.ReduceRaw(&k.red, k.kind, asI32(in), asI32(out))
	case infer.Int64:
		kernels.ReduceRaw(&k.red, k.kind, asI64(in), asI64(out))
	case infer.UInt8:
		if k.rescale {
			kernels.SumRescaleQuant(&k.red, &k.sum, in, out, x.acc)
		} else {
			kernels.ReduceRaw(&k.red, k.kind, in, out)
		}
	case infer.Int8:
		if k.prod {
			kernels.ProdQuant(&k.red, k.inZP, k.outZP, k.mult, k.shift, as8[int8](in), as8[int8](out), x.acc)
		} else if k.rescale {
			kernels.SumRescaleQuant(&k.red, &k.sum, as8[int8](in), as8[int8](out), x.acc)
		} else {
			kernels.ReduceRaw(&k.red, k.kind, as8[int8](in), as8[int8](out))
		}
	case infer.Int16:
		kernels.ProdQuant(&k.red, k.inZP, k.outZP, k.mult, k.shift, asI16(in), asI16(out), x.acc)
	}
}

func (p *prep) prepReduce(kind kernels.ReduceKind) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case in.dtype == infer.Int32 || in.dtype == infer.Int64:
	case in.dtype == infer.Int16 && kind == kernels.ReduceProd:
		if err := p.need16(in, "input"); err != nil {
			return nil, 0, err
		}
	default:
		if err := p.checkDType(in, "input"); err != nil {
			return nil, 0, err
		}
	}
	red, shape, err := p.reduceAxes(in)
	if err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &reduceK{in: iin, out: iout, kind: kind, dtype: in.dtype, red: kernels.MakeReduction(in.shape, red)}
	n, _ := numElements(in.shape)
	if !is8bit(in.dtype) && in.dtype != infer.Int16 {
		return k, int64(n), nil
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	same := in.scale == out.scale && in.zp == out.zp
	switch kind {
	case kernels.ReduceSum:
		if !same {
			k.rescale = true
			k.sum = kernels.PrepareSumRescale(in.scale, in.zp, out.scale, out.zp, k.red.Count)
			p.needAcc(k.red.OutSize)
		}
	case kernels.ReduceProd:
		if in.dtype == infer.UInt8 {
			// reduce.cc: uint8 takes the generic path, a raw product of
			// the codes; not implemented.
			return nil, 0, p.unsupported("uint8 REDUCE_PROD (TFLite multiplies the raw codes) is not implemented; TFLite rescales int8 and int16 only")
		}
		if in.dtype == infer.Int16 && out.zp != 0 {
			return nil, 0, p.unsupported("int16 output %q has zero point %d; TFLite requires 0", out.name, out.zp)
		}
		// reduce.cc PrepareProd: each step rescaled by
		// s_in / s_out^(1/n), n the reduced element count, in float64.
		k.prod, k.inZP, k.outZP = true, in.zp, out.zp
		if k.red.Count > 0 {
			k.mult, k.shift = kernels.QuantizeMultiplier(float64(in.scale) / math.Pow(float64(out.scale), 1/float64(k.red.Count)))
		}
		p.needAcc(2 * k.red.OutSize)
	default:
		if !same {
			return nil, 0, p.unsupported("quantized %s needs equal input and output quantization, as TFLite requires", p.opName)
		}
	}
	return k, int64(n), nil
}

// argK is ARG_MAX or ARG_MIN.
type argK struct {
	in, out            int
	isMax              bool
	dtype              infer.DType
	out64              bool
	outer, axis, inner int
}

func argRun[T int8 | uint8 | int32 | float32](k *argK, in []T, out []byte) {
	if k.out64 {
		kernels.ArgMinMax(k.outer, k.axis, k.inner, k.isMax, in, asI64(out))
	} else {
		kernels.ArgMinMax(k.outer, k.axis, k.inner, k.isMax, in, asI32(out))
	}
}

func (k *argK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		argRun(k, asF32(in), out)
	case infer.Int32:
		argRun(k, asI32(in), out)
	case infer.UInt8:
		argRun(k, in, out)
	case infer.Int8:
		argRun(k, as8[int8](in), out)
	}
}

func (p *prep) prepArgMinMax(isMax bool) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if in.dtype != infer.Int32 {
		if err := p.checkDType(in, "input"); err != nil {
			return nil, 0, err
		}
	}
	a, err := p.scalarInt(1, "axis")
	if err != nil {
		return nil, 0, err
	}
	axis, err := p.resolveAxis(a, len(in.shape))
	if err != nil {
		return nil, 0, err
	}
	ot := schema.Int64
	if isMax {
		if o, err := options[schema.ArgMaxOptions](p); err == nil {
			ot = o.OutputType
		}
	} else if o, err := options[schema.ArgMinOptions](p); err == nil {
		ot = o.OutputType
	}
	dt := dtypeOf(ot)
	if dt != infer.Int32 && dt != infer.Int64 {
		return nil, 0, p.unsupported("output type %s; want int32 or int64", dt)
	}
	shape := append(append([]int(nil), in.shape[:axis]...), in.shape[axis+1:]...)
	iout, _, err := p.output(0, dt, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &argK{in: iin, out: iout, isMax: isMax, dtype: in.dtype, out64: dt == infer.Int64, outer: 1, inner: 1, axis: in.shape[axis]}
	for _, d := range in.shape[:axis] {
		k.outer *= d
	}
	for _, d := range in.shape[axis+1:] {
		k.inner *= d
	}
	if k.axis == 0 {
		return nil, 0, p.bad("axis %d of %s is empty", axis, shapeString(in.shape))
	}
	n, _ := numElements(in.shape)
	return k, int64(n), nil
}
