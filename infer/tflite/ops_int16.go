package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// int16Preparer returns the preparer of the 16x8 (int16 activation) form
// of op when the operator has int16 data, or nil to use the usual one.
// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED take int16 inputs in
// their own preparers.
func (p *prep) int16Preparer(op schema.BuiltinOperator) prepFunc {
	dt := func(ts []int32) infer.DType {
		if len(ts) == 0 || ts[0] < 0 || int(ts[0]) >= len(p.t) {
			return infer.Unknown
		}
		return p.t[ts[0]].dtype
	}
	in, out := dt(p.op.Inputs), dt(p.op.Outputs)
	if in != infer.Int16 && !(op == schema.OpQuantize && out == infer.Int16) {
		return nil
	}
	switch op {
	case schema.OpQuantize:
		return (*prep).prepQuantize16
	case schema.OpAdd:
		return func(p *prep) (kernel, int64, error) { return p.prepAddSub16(false) }
	case schema.OpSub:
		return func(p *prep) (kernel, int64, error) { return p.prepAddSub16(true) }
	case schema.OpMul:
		return (*prep).prepMul16
	case schema.OpAveragePool2D:
		return func(p *prep) (kernel, int64, error) { return p.prepPool16(true) }
	case schema.OpMaxPool2D:
		return func(p *prep) (kernel, int64, error) { return p.prepPool16(false) }
	case schema.OpRelu, schema.OpRelu6:
		return func(p *prep) (kernel, int64, error) { return p.prepRelu16(op) }
	case schema.OpSoftmax:
		return (*prep).prepSoftmax16
	case schema.OpLogistic, schema.OpTanh:
		return func(p *prep) (kernel, int64, error) { return p.prepSigmoid16(op) }
	}
	return nil
}

// need16 checks that t is int16 with per-tensor quantization and zero
// point 0 (TFLite's 16x8 quantization is symmetric).
func (p *prep) need16(t *tensorPlan, what string) error {
	if t.dtype != infer.Int16 {
		return p.unsupported("%s %q is %s; want int16", what, t.name, t.dtype)
	}
	if err := p.needQuant(t, what); err != nil {
		return err
	}
	if t.zp != 0 {
		return p.unsupported("int16 %s %q has zero point %d; TFLite's int16 kernels need 0", what, t.name, t.zp)
	}
	return nil
}

// unary16K is an elementwise int16 operator.
type unary16K struct {
	in, out int
	op      schema.BuiltinOperator
	dtype   infer.DType // input
	odtype  infer.DType
	scale   float32
	zp      int32
	requant kernels.RequantParams
	relu    kernels.ReluXParams
	softmax *kernels.SoftmaxInt16Params
	sigmoid kernels.SigmoidInt16Params
	depth   int
}

func (k *unary16K) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.op {
	case schema.OpQuantize:
		switch {
		case k.dtype == infer.Float32:
			kernels.QuantizeFloat32(k.scale, k.zp, asF32(in), asI16(out))
		case k.dtype == infer.Int16 && k.odtype == infer.Int16:
			kernels.RequantAny(&k.requant, asI16(in), asI16(out))
		case k.dtype == infer.Int16 && k.odtype == infer.Int8:
			kernels.RequantAny(&k.requant, asI16(in), as8[int8](out))
		case k.dtype == infer.Int8:
			kernels.RequantAny(&k.requant, as8[int8](in), asI16(out))
		}
	case schema.OpRelu, schema.OpRelu6:
		kernels.ReluXQuant(&k.relu, asI16(in), asI16(out))
	case schema.OpSoftmax:
		kernels.SoftmaxInt16(k.softmax, k.depth, asI16(in), asI16(out))
	case schema.OpLogistic:
		kernels.LogisticInt16(&k.sigmoid, asI16(in), asI16(out))
	case schema.OpTanh:
		kernels.TanhInt16(&k.sigmoid, asI16(in), asI16(out))
	}
}

// prepQuantize16 is QUANTIZE float32 → int16, int16 → int16 or int8, and
// int8 → int16 (quantize.cc: AffineQuantize, or Requantize with the
// multiplier in_scale/out_scale in float64).
func (p *prep) prepQuantize16() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if len(p.op.Outputs) == 0 || p.op.Outputs[0] < 0 || int(p.op.Outputs[0]) >= len(p.t) {
		return nil, 0, p.bad("no output")
	}
	odt := p.t[p.op.Outputs[0]].dtype
	switch {
	case in.dtype == infer.Float32 && odt == infer.Int16,
		in.dtype == infer.Int16 && (odt == infer.Int16 || odt == infer.Int8),
		in.dtype == infer.Int8 && odt == infer.Int16:
	default:
		return nil, 0, p.unsupported("QUANTIZE from %s to %s; int16 forms: float32→int16, int16→int16, int16→int8, int8→int16", in.dtype, odt)
	}
	iout, out, err := p.output(0, odt, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	if err := p.needQuant(out, "output"); err != nil {
		return nil, 0, err
	}
	if odt == infer.Int16 && out.zp != 0 {
		return nil, 0, p.unsupported("int16 output %q has zero point %d; TFLite requires 0", out.name, out.zp)
	}
	k := &unary16K{in: iin, out: iout, op: schema.OpQuantize, dtype: in.dtype, odtype: odt}
	if in.dtype == infer.Float32 {
		k.scale, k.zp = out.scale, out.zp
	} else {
		if err := p.needQuant(in, "input"); err != nil {
			return nil, 0, err
		}
		k.requant = kernels.PrepareRequant(in.scale, in.zp, out.scale, out.zp)
	}
	n, _ := numElements(in.shape)
	return k, int64(n), nil
}

// prepRelu16 is int16 RELU and RELU6 (activations.cc QuantizedReluX: the
// input rescaled by in_scale/out_scale, clamped to the activation's
// quantized range).
func (p *prep) prepRelu16(op schema.BuiltinOperator) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(in, "input"); err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, infer.Int16, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(out, "output"); err != nil {
		return nil, 0, err
	}
	amax := float32(math.Inf(1))
	if op == schema.OpRelu6 {
		amax = 6
	}
	m, s := kernels.QuantizeMultiplier(float64(in.scale) / float64(out.scale))
	k := &unary16K{in: iin, out: iout, op: op, dtype: infer.Int16, odtype: infer.Int16,
		relu: kernels.ReluXParams{Multiplier: m, Shift: s}}
	k.relu.Lo, k.relu.Hi = kernels.QuantReluXRange(0, amax, out.scale, 0, math.MinInt16, math.MaxInt16)
	n, _ := numElements(in.shape)
	return k, int64(n), nil
}

// prepSoftmax16 is TFLite's LUT-based int16 SOFTMAX (output scale
// 1/32768, zero point 0).
func (p *prep) prepSoftmax16() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(in, "input"); err != nil {
		return nil, 0, err
	}
	if len(in.shape) == 0 {
		return nil, 0, p.bad("SOFTMAX input must have at least one dimension")
	}
	iout, out, err := p.output(0, infer.Int16, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(out, "output"); err != nil {
		return nil, 0, err
	}
	if math.Abs(float64(out.scale)-1.0/32768) > 0.001/32768 {
		return nil, 0, p.unsupported("int16 SOFTMAX needs output scale 1/32768, got %g (as TFLite)", out.scale)
	}
	beta := float32(1)
	if o, err := options[schema.SoftmaxOptions](p); err == nil {
		beta = o.Beta
	}
	k := &unary16K{in: iin, out: iout, op: schema.OpSoftmax, dtype: infer.Int16, odtype: infer.Int16,
		softmax: kernels.PrepareSoftmaxInt16(in.scale, beta), depth: in.shape[len(in.shape)-1]}
	n, _ := numElements(in.shape)
	return k, int64(n), nil
}

// prepSigmoid16 is int16 LOGISTIC and TANH (activations.cc: output scale
// 2^-15, the input rescaled to the fixed point of a 256-entry sigmoid
// table). An input scale of exactly 2^-12 (LOGISTIC) or 2^-12/2^-11
// (TANH) makes TFLite take its gemmlowp fixed-point kernel instead, which
// Fovea does not implement.
func (p *prep) prepSigmoid16(op schema.BuiltinOperator) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(in, "input"); err != nil {
		return nil, 0, err
	}
	iout, out, err := p.output(0, infer.Int16, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	if err := p.need16(out, "output"); err != nil {
		return nil, 0, err
	}
	if l, ok := log2Exact(out.scale); !ok || l != -15 {
		return nil, 0, p.unsupported("int16 %s needs output scale 2^-15, got %g (as TFLite)", p.opName, out.scale)
	}
	if l, ok := log2Exact(in.scale); ok && (l == -12 || op == schema.OpTanh && l == -11) {
		return nil, 0, p.unsupported("int16 %s with input scale 2^%d runs TFLite's gemmlowp fixed-point kernel, which Fovea does not implement", p.opName, l)
	}
	k := &unary16K{in: iin, out: iout, op: op, dtype: infer.Int16, odtype: infer.Int16, sigmoid: kernels.PrepareSigmoidInt16(in.scale)}
	n, _ := numElements(in.shape)
	return k, int64(n), nil
}
