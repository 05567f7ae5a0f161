package tflite

import (
	"math"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() {
	preparers[schema.OpDequantize] = (*prep).prepDequantize
}

// Half returns the float32 value of an IEEE 754 binary16 number.
func Half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac·2^−24
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// dequantK is DEQUANTIZE of float16, int16 or per-channel 8-bit data
// (weight-only quantized and float16 models).
type dequantK struct {
	in, out int
	dtype   infer.DType
	scales  []float32
	zps     []int32
	inner   int // elements per channel step
	nch     int
}

func (k *dequantK) run(x *execCtx) {
	in, out := x.bufs[k.in], asF32(x.bufs[k.out])
	switch k.dtype {
	case infer.Float16:
		for i, h := range asU16(in)[:len(out)] {
			out[i] = Half(h)
		}
		return
	}
	for i := range out {
		c := (i / k.inner) % k.nch
		var q int32
		switch k.dtype {
		case infer.Int16:
			q = int32(asI16(in)[i])
		case infer.Int8:
			q = int32(int8(in[i]))
		case infer.UInt8:
			q = int32(in[i])
		}
		if k.nch == 1 {
			// Per tensor, TFLite multiplies by the scale as a double.
			out[i] = float32(float64(k.scales[0]) * float64(q-k.zps[0]))
		} else {
			// Per channel (PerChannelDequantize): float32.
			out[i] = float32(q-k.zps[c]) * k.scales[c]
		}
	}
}

func (p *prep) prepDequantize() (kernel, int64, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return nil, 0, err
	}
	perChannel := in.quant != nil && len(in.quant.Scale) > 1
	if is8bit(in.dtype) && !perChannel {
		return p.prepUnary(schema.OpDequantize)
	}
	if in.dtype != infer.Float16 && in.dtype != infer.Int16 && !is8bit(in.dtype) {
		return nil, 0, p.unsupported("DEQUANTIZE from %s; supported: uint8, int8, int16 (per tensor or per channel), float16", in.dtype)
	}
	iout, _, err := p.output(0, infer.Float32, append([]int(nil), in.shape...))
	if err != nil {
		return nil, 0, err
	}
	k := &dequantK{in: iin, out: iout, dtype: in.dtype, inner: 1, nch: 1}
	n, _ := numElements(in.shape)
	if in.dtype == infer.Float16 {
		return k, int64(n), nil
	}
	if err := p.needQuant(in, "input"); err != nil {
		return nil, 0, err
	}
	q := in.quant
	k.scales = q.Scale
	k.zps = make([]int32, len(q.Scale))
	for i := range k.zps {
		if i < len(q.ZeroPoint) {
			k.zps[i] = int32(q.ZeroPoint[i])
		}
	}
	if perChannel {
		axis := int(q.QuantizedDimension)
		if axis < 0 || axis >= len(in.shape) || in.shape[axis] != len(q.Scale) {
			return nil, 0, p.bad("per-channel quantization along axis %d with %d scales does not fit %s", axis, len(q.Scale), shapeString(in.shape))
		}
		k.nch = len(q.Scale)
		for _, d := range in.shape[axis+1:] {
			k.inner *= d
		}
	}
	return k, int64(n), nil
}
