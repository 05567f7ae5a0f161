package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

// 16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: int16 activations,
// int8 weights, int64 (or int32) biases.

// check16x8Types checks the filter and bias of an int16 convolution.
func (p *prep) check16x8Types(filter, bias *tensorPlan) error {
	if filter.dtype != infer.Int8 {
		return p.unsupported("filter %q is %s with int16 input; 16x8 models need int8 weights", filter.name, filter.dtype)
	}
	if !filter.isConst() {
		return p.unsupported("filter %q is not a constant", filter.name)
	}
	if bias != nil {
		if !bias.isConst() {
			return p.unsupported("bias %q is not a constant", bias.name)
		}
		if bias.dtype != infer.Int64 && bias.dtype != infer.Int32 {
			return p.unsupported("bias %q is %s; 16x8 models need int64 (or int32)", bias.name, bias.dtype)
		}
	}
	return nil
}

// quant16 computes the requantization of a 16x8 layer as TFLite's
// PopulateConvolutionQuantizationParams does: input·filter scale over the
// output scale in float64 per channel, or, for a per-tensor
// FULLY_CONNECTED, the scale product in float32.
func (p *prep) quant16(in, filter, out *tensorPlan, outC int, act kernels.Activation, fc bool) (kernels.Quant16Params, error) {
	var q kernels.Quant16Params
	for _, t := range []*tensorPlan{in, filter, out} {
		if err := p.needQuant(t, "quantized"); err != nil {
			return q, err
		}
	}
	if in.zp != 0 || out.zp != 0 {
		return q, p.unsupported("int16 input and output need zero point 0 (got %d and %d), as TFLite requires", in.zp, out.zp)
	}
	fq := filter.quant
	for _, z := range fq.ZeroPoint {
		if z != 0 {
			return q, p.unsupported("int8 filter %q has zero point %d; TFLite requires 0", filter.name, z)
		}
	}
	n := len(fq.Scale)
	if n != 1 && n != outC {
		return q, p.bad("filter %q has %d scales for %d output channels", filter.name, n, outC)
	}
	q.Multiplier, q.Shift = make([]int32, n), make([]int, n)
	for c := 0; c < n; c++ {
		if !(fq.Scale[c] >= 0) {
			return q, p.bad("filter %q scale[%d] = %g", filter.name, c, fq.Scale[c])
		}
		real := float64(in.scale) * float64(fq.Scale[c]) / float64(out.scale)
		if fc && n == 1 {
			real = float64(in.scale*fq.Scale[c]) / float64(out.scale)
		}
		m, s := kernels.QuantizeMultiplier(real)
		if s > 7 || s < -31 {
			return q, p.unsupported("output multiplier %g is out of TFLite's range", real)
		}
		q.Multiplier[c], q.Shift[c] = m, s
	}
	q.ActMin, q.ActMax = kernels.QuantActivationRange(act, out.scale, out.zp, -32768, 32767)
	return q, nil
}

// bias64 widens a constant int32 or int64 bias to int64.
func bias64(bias *tensorPlan) []int64 {
	if bias == nil {
		return nil
	}
	if bias.dtype == infer.Int64 {
		return append([]int64(nil), asI64(bias.konst)...)
	}
	out := make([]int64, 0, len(bias.konst)/4)
	for _, v := range asI32(bias.konst) {
		out = append(out, int64(v))
	}
	return out
}

type conv16K struct {
	in, out   int
	depthwise bool
	p         kernels.ConvParams
	filter    []int8
	bias      []int64
	q         kernels.Quant16Params
}

func (k *conv16K) run(x *execCtx) {
	kernels.ConvInt16(&k.p, k.depthwise, asI16(x.bufs[k.in]), k.filter, k.bias, asI16(x.bufs[k.out]), &k.q, x.scratch, x.pool)
}

func (p *prep) conv16(cp kernels.ConvParams, depthwise bool, iin int, in, filter, bias *tensorPlan, iout int, out *tensorPlan, act kernels.Activation) (kernel, error) {
	q, err := p.quant16(in, filter, out, cp.OutC, act, false)
	if err != nil {
		return nil, err
	}
	// conv.cc: without an int64 bias CONV_2D takes the optimized kernel;
	// DEPTHWISE_CONV_2D always runs the reference one.
	q.Acc32 = !depthwise && (bias == nil || bias.dtype == infer.Int32)
	return &conv16K{in: iin, out: iout, depthwise: depthwise, p: cp, filter: as8[int8](filter.konst), bias: bias64(bias), q: q}, nil
}

type fc16K struct {
	in, out               int
	batches, depth, units int
	w                     []int8
	bias                  []int64
	q                     kernels.Quant16Params
}

func (k *fc16K) run(x *execCtx) {
	kernels.FullyConnectedInt16(k.batches, k.depth, k.units, asI16(x.bufs[k.in]), k.w, 0, k.bias, asI16(x.bufs[k.out]), &k.q, x.scratch, x.pool)
}

func (p *prep) fc16(iin int, in, w, bias *tensorPlan, iout int, out *tensorPlan, batches, depth, units int, act kernels.Activation) (kernel, error) {
	q, err := p.quant16(in, w, out, units, act, true)
	if err != nil {
		return nil, err
	}
	q.Acc32 = bias == nil || bias.dtype == infer.Int32 // fully_connected.cc: the optimized kernel
	return &fc16K{in: iin, out: iout, batches: batches, depth: depth, units: units, w: as8[int8](w.konst), bias: bias64(bias), q: q}, nil
}
