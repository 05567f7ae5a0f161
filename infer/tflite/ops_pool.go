package tflite

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

type poolK struct {
	in, out        int
	avg            bool
	dtype          infer.DType
	p              kernels.PoolParams
	qMin, qMax     int32
	actMin, actMax float32
}

func (k *poolK) run(x *execCtx) {
	in, out := x.bufs[k.in], x.bufs[k.out]
	switch k.dtype {
	case infer.Float32:
		if k.avg {
			kernels.AvgPoolFloat32(&k.p, asF32(in), asF32(out), k.actMin, k.actMax, x.accf)
		} else {
			kernels.MaxPoolFloat32(&k.p, asF32(in), asF32(out), k.actMin, k.actMax)
		}
	case infer.UInt8:
		if k.avg {
			kernels.AvgPoolQuant(&k.p, in, out, k.qMin, k.qMax, x.acc)
		} else {
			kernels.MaxPoolQuant(&k.p, in, out, k.qMin, k.qMax)
		}
	case infer.Int8:
		if k.avg {
			kernels.AvgPoolQuant(&k.p, as8[int8](in), as8[int8](out), k.qMin, k.qMax, x.acc)
		} else {
			kernels.MaxPoolQuant(&k.p, as8[int8](in), as8[int8](out), k.qMin, k.qMax)
		}
	}
}

func (p *prep) prepPool(avg bool) (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	if in.dtype != infer.Int16 { // int16: prepPool16 checked it and swaps the kernel
		if err := p.checkDType(in, "input"); err != nil {
			return nil, 0, err
		}
	}
	if len(in.shape) != 4 {
		return nil, 0, p.bad("input %s must be 4-D", shapeString(in.shape))
	}
	o, err := options[schema.Pool2DOptions](p)
	if err != nil {
		return nil, 0, p.bad("pooling without options")
	}
	ka, err := p.activation(o.Activation)
	if err != nil {
		return nil, 0, err
	}
	kp := kernels.PoolParams{N: in.shape[0], InH: in.shape[1], InW: in.shape[2], C: in.shape[3],
		KH: int(o.FilterHeight), KW: int(o.FilterWidth), StrideH: int(o.StrideH), StrideW: int(o.StrideW)}
	if kp.KH < 1 || kp.KW < 1 || kp.StrideH < 1 || kp.StrideW < 1 {
		return nil, 0, p.bad("filter %dx%d and stride %dx%d must be positive", kp.KH, kp.KW, kp.StrideH, kp.StrideW)
	}
	var ok bool
	if kp.OutH, kp.PadTop, ok = computePadding(o.Padding, kp.InH, kp.KH, kp.StrideH, 1); !ok {
		return nil, 0, p.bad("unknown padding %d", o.Padding)
	}
	kp.OutW, kp.PadLeft, _ = computePadding(o.Padding, kp.InW, kp.KW, kp.StrideW, 1)
	if kp.OutH <= 0 || kp.OutW <= 0 {
		return nil, 0, p.bad("window %dx%d does not fit the %dx%d input", kp.KH, kp.KW, kp.InH, kp.InW)
	}
	iout, out, err := p.output(0, in.dtype, []int{kp.N, kp.OutH, kp.OutW, kp.C})
	if err != nil {
		return nil, 0, err
	}
	k := &poolK{in: iin, out: iout, avg: avg, dtype: in.dtype, p: kp}
	if in.dtype == infer.Float32 {
		k.actMin, k.actMax = kernels.FloatActivationRange(ka)
	} else {
		if err := p.sameQuant(in, out); err != nil {
			return nil, 0, err
		}
		k.qMin, k.qMax = quantRange(ka, out)
	}
	p.needAcc(kp.C)
	return k, int64(kp.N) * int64(kp.OutH) * int64(kp.OutW) * int64(kp.C) * int64(kp.KH) * int64(kp.KW), nil
}

// checkDType accepts float32, uint8 and int8 tensors, with quantization for
// the 8-bit ones.
func (p *prep) checkDType(t *tensorPlan, what string) error {
	switch t.dtype {
	case infer.Float32:
		return nil
	case infer.UInt8, infer.Int8:
		return p.needQuant(t, what)
	}
	return p.unsupported("%s %q is %s; supported: float32, uint8, int8", what, t.name, t.dtype)
}

// sameQuant requires equal scale and zero point (TFLite's pooling, and the
// ops that move bytes without rescaling).
func (p *prep) sameQuant(in, out *tensorPlan) error {
	if err := p.needQuant(out, "output"); err != nil {
		return err
	}
	if in.scale != out.scale || in.zp != out.zp {
		return p.unsupported("input (scale %g, zero point %d) and output (scale %g, zero point %d) quantization differ", in.scale, in.zp, out.scale, out.zp)
	}
	return nil
}

// needAcc records that the op needs n int32 / float32 accumulators.
func (p *prep) needAcc(n int) {
	p.ops[len(p.ops)-1].accInts = max(p.ops[len(p.ops)-1].accInts, n)
}
