package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// binK is ADD or MUL.
type binK struct {
	a, b, out      int
	mul            bool
	dtype          infer.DType
	bc             kernels.Broadcast4
	add            kernels.AddParams
	mulp           kernels.MulParams
	actMin, actMax float32
	iMin, iMax     int32 // int32 activation range
}

func (k *binK) run(x *execCtx) {
	a, b, out := x.bufs[k.a], x.bufs[k.b], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		if k.mul {
			kernels.MulFloat32(&k.bc, asF32(a), asF32(b), asF32(out), k.actMin, k.actMax)
		} else {
			kernels.AddFloat32(&k.bc, asF32(a), asF32(b), asF32(out), k.actMin, k.actMax)
		}
	case infer.UInt8:
		if k.mul {
			kernels.MulQuant(&k.mulp, &k.bc, a, b, out)
		} else {
			kernels.AddQuant(&k.add, &k.bc, a, b, out, x.scratch, x.pool)
		}
	case infer.Int8:
		if k.mul {
			kernels.MulQuant(&k.mulp, &k.bc, as8[int8](a), as8[int8](b), as8[int8](out))
		} else {
			kernels.AddQuant(&k.add, &k.bc, as8[int8](a), as8[int8](b), as8[int8](out), x.scratch, x.pool)
		}
	case infer.Int32:
		f := addI32
		if k.mul {
			f = mulI32
		}
		kernels.BinaryInt32(&k.bc, asI32(a), asI32(b), asI32(out), k.iMin, k.iMax, f)
	}
}

func addI32(x, y int32) int32 { return x + y }
func mulI32(x, y int32) int32 { return x * y }
func subI32(x, y int32) int32 { return x - y }

func (p *prep) prepBinary(mul bool) (kernel, int64, error) {
	ia, a, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	ib, b, err := p.input(1)
	if err != nil {
		return nil, 0, err
	}
	if b.dtype != a.dtype {
		return nil, 0, p.unsupported("inputs are %s and %s; they must match", a.dtype, b.dtype)
	}
	if a.dtype != infer.Int32 {
		if err := p.checkDType(a, "input 0"); err != nil {
			return nil, 0, err
		}
		if err := p.checkDType(b, "input 1"); err != nil {
			return nil, 0, err
		}
	}
	var act schema.Activation
	if mul {
		if o, err := options[schema.MulOptions](p); err == nil {
			act = o.Activation
		}
	} else if o, err := options[schema.AddOptions](p); err == nil {
		act = o.Activation
	}
	ka, err := p.activation(act)
	if err != nil {
		return nil, 0, err
	}
	bc, shape, ok := broadcast(a.shape, b.shape)
	if !ok {
		return nil, 0, p.unsupported("shapes %s and %s do not broadcast (up to 6-D, at most 4 groups of axes that broadcast alike)", shapeString(a.shape), shapeString(b.shape))
	}
	iout, out, err := p.output(0, a.dtype, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &binK{a: ia, b: ib, out: iout, mul: mul, dtype: a.dtype, bc: bc}
	if a.dtype == infer.Int32 {
		k.iMin, k.iMax = kernels.Int32ActivationRange(ka)
		n, _ := numElements(shape)
		return k, int64(n), nil
	}
	if a.dtype == infer.Float32 {
		k.actMin, k.actMax = kernels.FloatActivationRange(ka)
	} else {
		if err := p.needQuant(out, "output"); err != nil {
			return nil, 0, err
		}
		lo, hi := quantRange(ka, out)
		if mul {
			k.mulp = kernels.PrepareMul(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
			k.mulp.ActMin, k.mulp.ActMax = lo, hi
		} else {
			k.add = kernels.PrepareAdd(a.scale, a.zp, b.scale, b.zp, out.scale, out.zp)
			k.add.ActMin, k.add.ActMax = lo, hi
		}
	}
	n, _ := numElements(shape)
	return k, int64(n), nil
}

// unaryK is an elementwise op with one input.
type unaryK struct {
	in, out       int
	op            schema.BuiltinOperator
	dtype, odtype infer.DType
	relu          kernels.ReluXParams
	lo, hi        float32
	lut           kernels.LUT8
	hs            kernels.HardSwishParams
	requant       kernels.Requant8
	scale         float32
	zp            int32
	softmax       *kernels.SoftmaxLUT
	beta          float32
	depth         int
}

func (k *unaryK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.op {
	case schema.OpRelu, schema.OpRelu6, schema.OpReluN1To1:
		switch k.dtype {
		case infer.Float32:
			kernels.ReluXFloat32(asF32(in), asF32(out), k.lo, k.hi)
		case infer.UInt8:
			kernels.ReluXQuant(&k.relu, in, out)
		case infer.Int8:
			kernels.ReluXQuant(&k.relu, as8[int8](in), as8[int8](out))
		}
	case schema.OpLogistic:
		switch k.dtype {
		case infer.Float32:
			kernels.LogisticFloat32(asF32(in), asF32(out))
		case infer.UInt8:
			kernels.ApplyLUT(&k.lut, in, out)
		case infer.Int8:
			kernels.ApplyLUT(&k.lut, as8[int8](in), as8[int8](out))
		}
	case schema.OpHardSwish:
		switch k.dtype {
		case infer.Float32:
			kernels.HardSwishFloat32(asF32(in), asF32(out))
		case infer.UInt8:
			kernels.HardSwishQuant(&k.hs, in, out)
		case infer.Int8:
			kernels.HardSwishQuant(&k.hs, as8[int8](in), as8[int8](out))
		}
	case schema.OpSoftmax:
		switch k.dtype {
		case infer.Float32:
			kernels.SoftmaxFloat32(k.depth, k.beta, asF32(in), asF32(out))
		case infer.UInt8:
			kernels.SoftmaxQuant(k.softmax, k.depth, in, out)
		case infer.Int8:
			kernels.SoftmaxQuant(k.softmax, k.depth, as8[int8](in), as8[int8](out))
		}
	case schema.OpQuantize:
		switch {
		case k.dtype == infer.Float32 && k.odtype == infer.UInt8:
			kernels.QuantizeFloat32(k.scale, k.zp, asF32(in), out)
		case k.dtype == infer.Float32 && k.odtype == infer.Int8:
			kernels.QuantizeFloat32(k.scale, k.zp, asF32(in), as8[int8](out))
		default: // 8-bit → 8-bit
			k.requant.Apply(in, out)
		}
	case schema.OpDequantize:
		switch k.dtype {
		case infer.UInt8:
			kernels.DequantizeToFloat32(float64(k.scale), k.zp, in, asF32(out))
		case infer.Int8:
			kernels.DequantizeToFloat32(float64(k.scale), k.zp, as8[int8](in), asF32(out))
		}
	}
}

func (p *prep) prepUnary(op schema.BuiltinOperator) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	odt := in.dtype
	if len(p.op.Outputs) == 0 {
		return nil, 0, p.bad("no output")
	}
	ti := int(p.op.Outputs[0])
	if op == schema.OpQuantize || op == schema.OpDequantize {
		if ti < 0 || ti >= len(p.t) {
			return nil, 0, p.bad("no output")
		}
		odt = p.t[ti].dtype
	}
	if op == schema.OpDequantize {
		if !is8bit(in.dtype) || odt != infer.Float32 {
			return nil, 0, p.unsupported("DEQUANTIZE from %s to %s; supported: uint8/int8 to float32", in.dtype, odt)
		}
	} else if err := p.checkDType(in, "input"); err != nil {
		return nil, 0, err
	}
	shape := append([]int(nil), in.shape...)
	iout, out, err := p.output(0, odt, shape)
	if err != nil {
		return nil, 0, err
	}
	k := &unaryK{in: iin, out: iout, op: op, dtype: in.dtype, odtype: odt}
	q8 := is8bit(in.dtype)
	if q8 && op != schema.OpDequantize {
		if err := p.needQuant(out, "output"); err != nil {
			return nil, 0, err
		}
	}
	lo, hi := limits8(odt)
	switch op {
	case schema.OpRelu, schema.OpRelu6, schema.OpReluN1To1:
		amin, amax := float32(0), float32(math.Inf(1))
		switch op {
		case schema.OpRelu6:
			amax = 6
		case schema.OpReluN1To1:
			amin, amax = -1, 1
		}
		k.lo, k.hi = amin, amax
		if q8 {
			m, s := kernels.QuantizeMultiplier(float64(in.scale) / float64(out.scale))
			k.relu = kernels.ReluXParams{InputZP: in.zp, OutputZP: out.zp, Multiplier: m, Shift: s}
			k.relu.Lo, k.relu.Hi = kernels.QuantReluXRange(amin, amax, out.scale, out.zp, lo, hi)
		}
	case schema.OpLogistic:
		if q8 {
			if out.scale != 1.0/256 {
				return nil, 0, p.unsupported("quantized LOGISTIC needs output scale 1/256, got %g", out.scale)
			}
			if in.dtype == infer.UInt8 {
				kernels.PopulateLUT[uint8](&k.lut, in.scale, in.zp, out.scale, out.zp, kernels.LogisticFunc)
			} else {
				kernels.PopulateLUT[int8](&k.lut, in.scale, in.zp, out.scale, out.zp, kernels.LogisticFunc)
			}
		}
	case schema.OpHardSwish:
		if q8 {
			var ok bool
			if k.hs, ok = kernels.PrepareHardSwish(in.scale, in.zp, out.scale, out.zp); !ok {
				return nil, 0, p.unsupported("HARD_SWISH output multiplier exponent is positive (input scale %g, output scale %g)", in.scale, out.scale)
			}
		}
	case schema.OpSoftmax:
		k.beta = 1
		if o, err := options[schema.SoftmaxOptions](p); err == nil {
			k.beta = o.Beta
		}
		if len(in.shape) == 0 {
			return nil, 0, p.bad("SOFTMAX input must have at least one dimension")
		}
		k.depth = in.shape[len(in.shape)-1]
		if q8 {
			k.softmax = kernels.PrepareSoftmaxLUT(in.scale, k.beta, out.scale, out.zp)
		}
	case schema.OpQuantize:
		if !is8bit(odt) {
			return nil, 0, p.unsupported("QUANTIZE to %s; supported: uint8, int8", odt)
		}
		if err := p.needQuant(out, "output"); err != nil {
			return nil, 0, err
		}
		if q8 {
			rp := kernels.PrepareRequant(in.scale, in.zp, out.scale, out.zp)
			k.requant = prepareRequant8(&rp, in.dtype, odt)
		} else {
			k.scale, k.zp = out.scale, out.zp
		}
	case schema.OpDequantize:
		if err := p.needQuant(in, "input"); err != nil {
			return nil, 0, err
		}
		k.scale, k.zp = in.scale, in.zp
	}
	n, _ := numElements(shape)
	return k, int64(n), nil
}

// prepareRequant8 tabulates an 8-bit QUANTIZE for its input and output
// types (each uint8 or int8).
func prepareRequant8(p *kernels.RequantParams, in, out infer.DType) kernels.Requant8 {
	switch {
	case in == infer.UInt8 && out == infer.UInt8:
		return kernels.PrepareRequant8[uint8, uint8](p)
	case in == infer.UInt8:
		return kernels.PrepareRequant8[uint8, int8](p)
	case out == infer.UInt8:
		return kernels.PrepareRequant8[int8, uint8](p)
	default:
		return kernels.PrepareRequant8[int8, int8](p)
	}
}
