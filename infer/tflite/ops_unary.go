package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpReluN1To1] = func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpReluN1To1) }
	for _, op := range []schema.BuiltinOperator{
		schema.OpAbs, schema.OpNeg, schema.OpExp, schema.OpLog, schema.OpSqrt, schema.OpRsqrt,
		schema.OpSquare, schema.OpTanh, schema.OpElu, schema.OpGelu, schema.OpLeakyRelu,
		schema.OpLogSoftmax, schema.OpL2Normalization,
	} {
		preparers[op] = func(p *prep) (kernel, int64, error) { return p.prepMath(op) }
	}
}

// mathK is a float32 elementwise or row-wise function, or its 8-bit form.
type mathK struct {
	in, out int
	op      schema.BuiltinOperator
	dtype   infer.DType
	f       func(float32) float32
	depth   int
	lut     kernels.LUT8
	leaky   kernels.LeakyReluParams
	abs     kernels.AbsParams
	l2      kernels.L2NormQuantParams
	rsqrt   kernels.RsqrtParams
	softmax *kernels.SoftmaxLUT
	inScale float32
	inZP    int32
	outSc   float32
	outZP   int32
	mode    int // how the 8-bit form runs: one of the q* constants
}

const (
	qLUT = iota + 1
	qLeaky
	qAbs
	qL2
	qSqrt
	qRsqrt
	qLogSoftmax
	qNeg
)

func (k *mathK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	if k.dtype == infer.Float32 {
		switch k.op {
		case schema.OpLogSoftmax:
			kernels.LogSoftmaxFloat32(k.depth, asF32(in), asF32(out))
		case schema.OpL2Normalization:
			kernels.L2NormFloat32(k.depth, asF32(in), asF32(out))
		default:
			kernels.MapFloat32(asF32(in), asF32(out), k.f)
		}
		return
	}
	u := k.dtype == infer.UInt8
	switch k.mode {
	case qLUT:
		if u {
			kernels.ApplyLUT(&k.lut, in, out)
		} else {
			kernels.ApplyLUT(&k.lut, as8[int8](in), as8[int8](out))
		}
	case qLeaky:
		if u {
			kernels.LeakyReluQuant(&k.leaky, in, out)
		} else {
			kernels.LeakyReluQuant(&k.leaky, as8[int8](in), as8[int8](out))
		}
	case qAbs:
		if u {
			kernels.AbsQuant(&k.abs, in, out)
		} else {
			kernels.AbsQuant(&k.abs, as8[int8](in), as8[int8](out))
		}
	case qSqrt:
		kernels.SqrtInt8(k.inScale, k.inZP, k.outSc, k.outZP, as8[int8](in), as8[int8](out))
	case qRsqrt:
		kernels.RsqrtInt8(&k.rsqrt, as8[int8](in), as8[int8](out))
	case qNeg:
		kernels.NegInt8(k.inZP+k.outZP, as8[int8](in), as8[int8](out))
	case qLogSoftmax:
		if u {
			kernels.LogSoftmaxQuant(k.softmax, k.inScale, k.depth, in, out)
		} else {
			kernels.LogSoftmaxQuant(k.softmax, k.inScale, k.depth, as8[int8](in), as8[int8](out))
		}
	case qL2:
		if u {
			kernels.L2NormQuant(&k.l2, k.depth, in, out)
		} else {
			kernels.L2NormQuant(&k.l2, k.depth, as8[int8](in), as8[int8](out))
		}
	}
}

func (p *prep) prepMath(op schema.BuiltinOperator) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.checkDType(in, "input"); err != nil {
		return nil, 0, err
	}
	shape := append([]int(nil), in.shape...)
	iout, out, err := p.output(0, in.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	n, _ := numElements(shape)
	k := &mathK{in: iin, out: iout, op: op, dtype: in.dtype}
	if len(shape) > 0 {
		k.depth = shape[len(shape)-1]
	}
	var f func(float32) float32
	switch op {
	case schema.OpAbs:
		f = kernels.AbsF
	case schema.OpNeg:
		f = kernels.NegF
	case schema.OpExp:
		f = kernels.ExpF
	case schema.OpLog:
		f = kernels.LogF
	case schema.OpSqrt:
		f = kernels.SqrtF
	case schema.OpRsqrt:
		f = kernels.RsqrtF
	case schema.OpSquare:
		f = kernels.SquareF
	case schema.OpTanh:
		f = kernels.TanhF
	case schema.OpElu:
		f = kernels.EluF
	case schema.OpGelu:
		approx := false
		if o, err := options[schema.GeluOptions](p); err == nil {
			approx = o.Approximate
		}
		f = kernels.GeluFunc(approx)
	case schema.OpLeakyRelu:
		alpha := float32(0)
		if o, err := options[schema.LeakyReluOptions](p); err == nil {
			alpha = o.Alpha
		}
		f = func(x float32) float32 {
			if x > 0 {
				return x
			}
			return alpha * x
		}
		if is8bit(in.dtype) {
			if err := p.needQuant(out, "output"); err != nil {
				return nil, 0, err
			}
			k.mode = qLeaky
			k.leaky = kernels.PrepareLeakyRelu(in.scale, in.zp, alpha, out.scale, out.zp)
			return k, int64(n), nil
		}
	case schema.OpLogSoftmax, schema.OpL2Normalization:
		if len(shape) == 0 {
			return nil, 0, p.bad("%s input must have at least one dimension", p.opName)
		}
		if op == schema.OpL2Normalization {
			if o, err := options[schema.L2NormOptions](p); err == nil && o.Activation != schema.ActNone {
				return nil, 0, p.unsupported("L2_NORMALIZATION with a fused activation")
			}
		}
	}
	k.f = f
	if in.dtype == infer.Float32 {
		return k, int64(n), nil
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	switch op {
	case schema.OpTanh, schema.OpElu, schema.OpExp, schema.OpGelu:
		// TFLite's 8-bit forms are lookup tables built in float32.
		if op == schema.OpElu || op == schema.OpExp {
			if in.dtype == infer.UInt8 {
				return nil, 0, p.unsupported("%s of uint8 (TFLite supports float32 and int8)", p.opName)
			}
		}
		k.mode = qLUT
		if in.dtype == infer.UInt8 {
			kernels.PopulateLUT[uint8](&k.lut, in.scale, in.zp, out.scale, out.zp, f)
		} else {
			kernels.PopulateLUT[int8](&k.lut, in.scale, in.zp, out.scale, out.zp, f)
		}
	case schema.OpLog:
		if in.dtype != infer.Int8 {
			return nil, 0, p.unsupported("LOG of %s (TFLite supports float32, int8 and int16)", in.dtype)
		}
		// elementwise.cc LogLUTPrepare: log, with the lowest output code
		// for inputs ≤ 0.
		lowest := float32(-128-out.zp) * out.scale
		k.mode = qLUT
		kernels.PopulateLUT[int8](&k.lut, in.scale, in.zp, out.scale, out.zp, func(v float32) float32 {
			if v <= 0 {
				return lowest
			}
			return kernels.LogF(v)
		})
	case schema.OpSqrt:
		if in.dtype != infer.Int8 {
			return nil, 0, p.unsupported("SQRT of %s (TFLite supports float32, int8 and int16)", in.dtype)
		}
		k.mode, k.inScale, k.inZP, k.outSc, k.outZP = qSqrt, in.scale, in.zp, out.scale, out.zp
	case schema.OpRsqrt:
		if in.dtype != infer.Int8 {
			return nil, 0, p.unsupported("RSQRT of %s (TFLite supports float32, int8 and int16)", in.dtype)
		}
		k.mode = qRsqrt
		k.rsqrt = kernels.PrepareRsqrt(in.scale, in.zp, out.scale, out.zp)
	case schema.OpAbs:
		if in.dtype != infer.Int8 {
			return nil, 0, p.unsupported("ABS of %s (TFLite supports float32 and int8)", in.dtype)
		}
		k.mode = qAbs
		k.abs = kernels.PrepareAbs(in.scale, in.zp, out.scale, out.zp)
	case schema.OpL2Normalization:
		wantZP := int32(128)
		if in.dtype == infer.Int8 {
			wantZP = 0
		}
		if out.scale != 1.0/128 || out.zp != wantZP {
			return nil, 0, p.unsupported("quantized L2_NORMALIZATION needs output scale 1/128 and zero point %d, got %g and %d", wantZP, out.scale, out.zp)
		}
		k.mode = qL2
		k.l2 = kernels.L2NormQuantParams{InputZP: in.zp}
	case schema.OpNeg:
		if in.dtype != infer.Int8 {
			return nil, 0, p.unsupported("NEG of %s (TFLite supports float32, int32, int64 and int8)", in.dtype)
		}
		if in.scale != out.scale {
			return nil, 0, p.unsupported("int8 NEG needs equal input and output scales (got %g and %g), as TFLite requires", in.scale, out.scale)
		}
		k.mode, k.inZP, k.outZP = qNeg, in.zp, out.zp
	case schema.OpLogSoftmax:
		// activations.cc LogSoftmaxPrepare: output scale 16/256, zero
		// point the highest code.
		_, top := limits8(in.dtype)
		if out.scale != 16.0/256 || out.zp != top {
			return nil, 0, p.unsupported("quantized LOG_SOFTMAX needs output scale 16/256 and zero point %d, got %g and %d", top, out.scale, out.zp)
		}
		k.mode, k.inScale = qLogSoftmax, in.scale
		k.softmax = kernels.PrepareSoftmaxLUT(in.scale, 1, out.scale, out.zp)
	default:
		return nil, 0, p.unsupported("%s of %s is not implemented (float32 only)", p.opName, in.dtype)
	}
	return k, int64(n), nil
}
