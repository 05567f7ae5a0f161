package kernels

import (
	"math"
	"unsafe"
)

// int8like is the element type of Fovea's 8-bit quantized kernels.
type int8like interface{ ~int8 | ~uint8 }

// quantInt is the element type of kernels shared by 8-bit and 16-bit
// quantized tensors.
type quantInt interface{ ~int8 | ~uint8 | ~int16 }

// Activation is a fused activation function, as in TFLite's
// ActivationFunctionType (the values match the schema).
type Activation int8

// The fused activations Fovea executes.
const (
	ActNone      Activation = 0
	ActRelu      Activation = 1
	ActReluN1To1 Activation = 2
	ActRelu6     Activation = 3
)

// FloatActivationRange returns the clamp range of a fused activation for
// float kernels (TFLite's CalculateActivationRange).
func FloatActivationRange(a Activation) (lo, hi float32) {
	switch a {
	case ActRelu:
		return 0, math.MaxFloat32
	case ActRelu6:
		return 0, 6
	case ActReluN1To1:
		return -1, 1
	}
	return -math.MaxFloat32, math.MaxFloat32
}

// QuantActivationRange returns the clamp range of a fused activation for a
// quantized output with the given scale and zero point, within [qmin, qmax]
// (TFLite's CalculateActivationRangeQuantized: zp + round(f/scale) in float).
func QuantActivationRange(a Activation, scale float32, zp, qmin, qmax int32) (lo, hi int32) {
	q := func(f float32) int32 { return zp + int32(math.Round(float64(f/scale))) }
	lo, hi = qmin, qmax
	switch a {
	case ActRelu:
		lo = max(qmin, q(0))
	case ActRelu6:
		lo = max(qmin, q(0))
		hi = min(qmax, q(6))
	case ActReluN1To1:
		lo = max(qmin, q(-1))
		hi = min(qmax, q(1))
	}
	return lo, hi
}

// ClampFloat32 clamps every element of x to [lo, hi] in place.
func ClampFloat32(x []float32, lo, hi float32) {
	for i, v := range x {
		x[i] = min(max(v, lo), hi)
	}
}

// ReluXParams are the parameters of quantized RELU, RELU6 and RELU_N1_TO_1
// (TFLite's ReluParams): out = clamp(OutputZP + MBQM(in − InputZP), Lo, Hi).
type ReluXParams struct {
	InputZP, OutputZP int32
	Multiplier        int32
	Shift             int
	Lo, Hi            int32
}

// QuantReluXRange computes Lo and Hi of quantized ReLU-like ops as TFLite's
// QuantizedReluX does (roundf(act / scale) + zp, within [qmin, qmax]);
// actMax = +Inf means no upper bound.
func QuantReluXRange(actMin, actMax float32, scale float32, zp, qmin, qmax int32) (lo, hi int32) {
	lo = max(qmin, zp+int32(math.Round(float64(actMin/scale))))
	hi = qmax
	if !math.IsInf(float64(actMax), 1) {
		hi = min(qmax, zp+int32(math.Round(float64(actMax/scale))))
	}
	return lo, hi
}

// ReluXQuant applies quantized RELU/RELU6/RELU_N1_TO_1.
func ReluXQuant[T quantInt](p *ReluXParams, in, out []T) {
	for i, v := range in {
		r := p.OutputZP + MultiplyByQuantizedMultiplier(int32(v)-p.InputZP, p.Multiplier, p.Shift)
		out[i] = T(min(max(r, p.Lo), p.Hi))
	}
}

// ReluXFloat32 clamps in to [lo, hi] into out.
func ReluXFloat32(in, out []float32, lo, hi float32) {
	for i, v := range in {
		out[i] = min(max(v, lo), hi)
	}
}

// LUT8 is a 256-entry lookup table for an 8-bit elementwise op, indexed by
// the input byte.
type LUT8 [256]uint8

// PopulateLUT fills t the way TFLite's PopulateLookupTable does for the
// element type T: dequantize in float32, apply f, rescale by 1/outScale,
// round half away from zero, add the output zero point, clamp.
func PopulateLUT[T int8like](t *LUT8, inScale float32, inZP int32, outScale float32, outZP int32, f func(float32) float32) {
	inv := 1 / outScale
	lo, hi := int32(limitsMin[T]()), int32(limitsMax[T]())
	for v := lo; v <= hi; v++ {
		deq := inScale * float32(v-inZP)
		tr := f(deq)
		r := float32(math.Round(float64(tr * inv)))
		q := int32(r + float32(outZP))
		q = max(min(hi, q), lo)
		t[uint8(T(v))] = uint8(T(q))
	}
}

// ApplyLUT maps every input byte through t.
func ApplyLUT[T int8like](t *LUT8, in, out []T) {
	for i, v := range in {
		out[i] = T(t[uint8(v)])
	}
}

// LogisticFunc is 1/(1+e^−x) in float32, as TFLite's LUT builder computes it.
func LogisticFunc(x float32) float32 {
	return 1 / (1 + float32(math.Exp(float64(-x))))
}

// LogisticFloat32 computes the logistic function elementwise.
func LogisticFloat32(in, out []float32) {
	for i, v := range in {
		out[i] = LogisticFunc(v)
	}
}

func limitsMin[T quantInt]() int {
	var z T
	if T(z-1) > z {
		return 0
	}
	if unsafe.Sizeof(z) == 2 {
		return -32768
	}
	return -128
}

func limitsMax[T quantInt]() int {
	if limitsMin[T]() == 0 {
		return 255
	}
	return -limitsMin[T]() - 1
}

// Limits returns the representable range of the quantized type T.
func Limits[T quantInt]() (lo, hi int32) {
	return int32(limitsMin[T]()), int32(limitsMax[T]())
}
