package kernels

import "math"

// MapFloat32 applies f to every element.
func MapFloat32(in, out []float32, f func(float32) float32) {
	in = in[:len(out)]
	for i, v := range in {
		out[i] = f(v)
	}
}

// Float32 elementwise functions as TFLite computes them (std:: functions
// on float).
var (
	AbsF    = func(x float32) float32 { return float32(math.Abs(float64(x))) }
	NegF    = func(x float32) float32 { return -x }
	ExpF    = func(x float32) float32 { return float32(math.Exp(float64(x))) }
	LogF    = func(x float32) float32 { return float32(math.Log(float64(x))) }
	SqrtF   = func(x float32) float32 { return float32(math.Sqrt(float64(x))) }
	RsqrtF  = func(x float32) float32 { return 1 / float32(math.Sqrt(float64(x))) }
	SquareF = func(x float32) float32 { return x * x }
	TanhF   = func(x float32) float32 { return float32(math.Tanh(float64(x))) }
	EluF    = func(x float32) float32 {
		if x < 0 {
			return float32(math.Expm1(float64(x)))
		}
		return x
	}
)

// GeluFunc returns TFLite's GELU in float32: the tanh approximation or the
// exact erf form.
func GeluFunc(approximate bool) func(float32) float32 {
	if approximate {
		const k = float32(0.7978845608028654) // sqrt(2/π)
		return func(x float32) float32 {
			// Explicit conversions keep Go from fusing into FMA on arm64.
			inner := k * (x + float32(float32(float32(float32(0.044715)*x)*x)*x))
			return float32(0.5) * x * (1 + float32(math.Tanh(float64(inner))))
		}
	}
	// TFLite 2.16+ (reference/gelu.h GeluTransform): 0.5·x·erfc(−x/√2),
	// all in float32.
	return func(x float32) float32 {
		return float32(0.5) * x * float32(math.Erfc(float64(x*float32(-math.Sqrt2/2))))
	}
}

// LeakyReluParams are the parameters of 8-bit LEAKY_RELU (TFLite
// activations.cc): identity multiplier s_in/s_out and alpha multiplier
// s_in·α/s_out, both computed in float32.
type LeakyReluParams struct {
	InputZP, OutputZP   int32
	MultId, MultAlpha   int32
	ShiftId, ShiftAlpha int
}

// PrepareLeakyRelu computes the LEAKY_RELU multipliers.
func PrepareLeakyRelu(sin float32, zpin int32, alpha, so float32, zpo int32) LeakyReluParams {
	p := LeakyReluParams{InputZP: zpin, OutputZP: zpo}
	p.MultAlpha, p.ShiftAlpha = QuantizeMultiplier(float64(sin * alpha / so))
	p.MultId, p.ShiftId = QuantizeMultiplier(float64(sin / so))
	return p
}

// LeakyReluQuant computes 8-bit LEAKY_RELU.
func LeakyReluQuant[T int8like](p *LeakyReluParams, in, out []T) {
	lo, hi := Limits[T]()
	for i, v := range in {
		x := int32(v) - p.InputZP
		var r int32
		if x >= 0 {
			r = MultiplyByQuantizedMultiplier(x, p.MultId, p.ShiftId)
		} else {
			r = MultiplyByQuantizedMultiplier(x, p.MultAlpha, p.ShiftAlpha)
		}
		out[i] = T(min(max(r+p.OutputZP, lo), hi))
	}
}

// AbsParams are the parameters of int8 ABS (TFLite elementwise.cc).
type AbsParams struct {
	InputZP, OutputZP int32
	Rescale           bool
	Mult              int32
	Shift             int
}

// PrepareAbs computes int8 ABS's rescaling (s_in/s_out in float32).
func PrepareAbs(sin float32, zpin int32, so float32, zpo int32) AbsParams {
	p := AbsParams{InputZP: zpin, OutputZP: zpo, Rescale: sin != so}
	p.Mult, p.Shift = QuantizeMultiplier(float64(sin / so))
	return p
}

// AbsQuant computes 8-bit ABS.
func AbsQuant[T int8like](p *AbsParams, in, out []T) {
	lo, hi := Limits[T]()
	for i, v := range in {
		x := int32(v) - p.InputZP
		if x < 0 {
			x = -x
		}
		if p.Rescale {
			x = MultiplyByQuantizedMultiplier(x, p.Mult, p.Shift)
		}
		out[i] = T(min(max(x+p.OutputZP, lo), hi))
	}
}

// LogSoftmaxFloat32 computes x − max − log Σ exp(x − max) over rows of
// depth elements.
func LogSoftmaxFloat32(depth int, in, out []float32) {
	for o := 0; o+depth <= len(out); o += depth {
		row := in[o : o+depth]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum float32
		for _, v := range row {
			sum += float32(math.Exp(float64(v - mx)))
		}
		l := float32(math.Log(float64(sum)))
		for i, v := range row {
			out[o+i] = v - mx - l
		}
	}
}

// L2NormFloat32 divides each row of depth elements by its L2 norm
// (at least 1e-6), as TFLite's L2Normalization does.
func L2NormFloat32(depth int, in, out []float32) {
	for o := 0; o+depth <= len(out); o += depth {
		row := in[o : o+depth]
		var sq float32
		for _, v := range row {
			sq += float32(v * v)
		}
		n := max(float32(math.Sqrt(float64(sq))), 1e-6)
		for i, v := range row {
			out[o+i] = v / n
		}
	}
}

// SqrtInt8 is TFLite's int8 SQRT: dequantize in float32, std::sqrt,
// divide by the output scale and truncate toward zero, add the zero
// point. TFLite fails the Invoke on a negative input; this writes the
// output zero point (zero) for it.
func SqrtInt8(inScale float32, inZP int32, outScale float32, outZP int32, in, out []int8) {
	for i, v := range in {
		dq := inScale * float32(int32(v)-inZP)
		q := outZP
		if dq >= 0 {
			q = int32(float32(math.Sqrt(float64(dq)))/outScale) + outZP
		}
		out[i] = int8(min(max(q, -128), 127))
	}
}

// RsqrtParams are the parameters of TFLite's int8 RSQRT: the multiplier
// of 1/(√s_in·s_out).
type RsqrtParams struct {
	InputZP, OutputZP int32
	Mult              int32
	Shift             int
}

// PrepareRsqrt computes 1/(√s_in·s_out) as TFLite does (√ and product in
// float32, the reciprocal in double).
func PrepareRsqrt(inScale float32, inZP int32, outScale float32, outZP int32) RsqrtParams {
	p := RsqrtParams{InputZP: inZP, OutputZP: outZP}
	p.Mult, p.Shift = QuantizeMultiplier(1 / float64(float32(math.Sqrt(float64(inScale)))*outScale))
	return p
}

// RsqrtInt8 is TFLite's int8 RSQRT: 1/√(q − zp) as a fixed-point
// multiplier (GetInvSqrtQuantizedMultiplierExp) applied to 1 with 20 bits
// of headroom, then rescaled; q = zp gives the largest code. (TFLite fails
// the Invoke below the zero point; this treats those like q = zp + 1.)
func RsqrtInt8(p *RsqrtParams, in, out []int8) {
	for i, v := range in {
		x := int32(v) - p.InputZP
		if x == 0 {
			out[i] = 127
			continue
		}
		m, s := InvSqrtQuantizedMultiplier(x)
		d := MultiplyByQuantizedMultiplier(1, m, s+20)
		r := MultiplyByQuantizedMultiplier(d, p.Mult, p.Shift-20) + p.OutputZP
		out[i] = int8(min(max(r, -128), 127))
	}
}

// NegInt8 is TFLite's quantized NEG (reference_integer_ops::Negate): with
// equal input and output scales, out = clamp(zp_in + zp_out − in).
func NegInt8(zpSum int32, in, out []int8) {
	for i, v := range in {
		out[i] = int8(min(max(zpSum-int32(v), -128), 127))
	}
}
