package kernels

import "math"

// BinaryFloat32 computes out = clamp(f(a, b), lo, hi) with broadcasting.
func BinaryFloat32(bc *Broadcast4, a, b, out []float32, lo, hi float32, f func(x, y float32) float32) {
	if bc.Flat {
		a, b = a[:len(out)], b[:len(out)]
		for i := range out {
			out[i] = min(max(f(a[i], b[i]), lo), hi)
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = min(max(f(a[ia], b[ib]), lo), hi) })
}

// BinarySelect computes out = f(a, b) on raw elements with broadcasting
// (MAXIMUM and MINIMUM compare codes directly, as TFLite does).
func BinarySelect[T int8like | ~int32 | ~int64 | ~int16 | ~float32](bc *Broadcast4, a, b, out []T, f func(x, y T) T) {
	if bc.Flat {
		a, b = a[:len(out)], b[:len(out)]
		for i := range out {
			out[i] = f(a[i], b[i])
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = f(a[ia], b[ib]) })
}

// SquaredDiffParams are the parameters of 8-bit SQUARED_DIFFERENCE.
type SquaredDiffParams struct {
	AddParams
}

// PrepareSquaredDiff computes TFLite's squared_difference.cc rescaling:
// inputs shifted left by 7, scaled to twice the larger input scale, and
// the squared difference scaled by (2·max)²/(2^14·outScale).
func PrepareSquaredDiff(s1 float32, zp1 int32, s2 float32, zp2 int32, so float32, zpo int32) SquaredDiffParams {
	p := AddParams{Input1Offset: -zp1, Input2Offset: -zp2, OutputOffset: zpo, LeftShift: 7}
	twiceMax := 2 * float64(max(s1, s2))
	p.Input1Multiplier, p.Input1Shift = QuantizeMultiplier(float64(s1) / twiceMax)
	p.Input2Multiplier, p.Input2Shift = QuantizeMultiplier(float64(s2) / twiceMax)
	p.OutputMultiplier, p.OutputShift = QuantizeMultiplier(twiceMax * twiceMax / (float64(int64(1)<<(2*p.LeftShift)) * float64(so)))
	return SquaredDiffParams{p}
}

func (p *SquaredDiffParams) sqdiff(a, b int32) int32 {
	x := (p.Input1Offset + a) * (1 << uint(p.LeftShift))
	y := (p.Input2Offset + b) * (1 << uint(p.LeftShift))
	x = MultiplyByQuantizedMultiplier(x, p.Input1Multiplier, p.Input1Shift)
	y = MultiplyByQuantizedMultiplier(y, p.Input2Multiplier, p.Input2Shift)
	d := x - y
	r := MultiplyByQuantizedMultiplier(d*d, p.OutputMultiplier, p.OutputShift) + p.OutputOffset
	return min(max(r, p.ActMin), p.ActMax)
}

// SquaredDiffQuant computes 8-bit SQUARED_DIFFERENCE with broadcasting.
func SquaredDiffQuant[T int8like](p *SquaredDiffParams, bc *Broadcast4, a, b, out []T) {
	bc.each(func(o, ia, ib int) { out[o] = T(p.sqdiff(int32(a[ia]), int32(b[ib]))) })
}

// PreluParams are the parameters of 8-bit PRELU (TFLite prelu.cc): the
// identity multiplier s_in/s_out for non-negative inputs, and
// s_in·s_alpha/s_out for negative ones, both computed in float32.
type PreluParams struct {
	InputOffset, AlphaOffset, OutputOffset int32
	Mult1, Mult2                           int32
	Shift1, Shift2                         int
}

// PreparePrelu computes the PRELU multipliers.
func PreparePrelu(sin float32, zpin int32, sa float32, zpa int32, so float32, zpo int32) PreluParams {
	p := PreluParams{InputOffset: -zpin, AlphaOffset: -zpa, OutputOffset: zpo}
	p.Mult1, p.Shift1 = QuantizeMultiplier(float64(sin / so))
	p.Mult2, p.Shift2 = QuantizeMultiplier(float64(sin * sa / so))
	return p
}

// PreluQuant computes 8-bit PRELU with alpha broadcast against the input.
func PreluQuant[T int8like](p *PreluParams, bc *Broadcast4, in, alpha, out []T) {
	lo, hi := Limits[T]()
	bc.each(func(o, ia, ib int) {
		x := p.InputOffset + int32(in[ia])
		var v int32
		if x >= 0 {
			v = MultiplyByQuantizedMultiplier(x, p.Mult1, p.Shift1)
		} else {
			v = MultiplyByQuantizedMultiplier(x*(p.AlphaOffset+int32(alpha[ib])), p.Mult2, p.Shift2)
		}
		out[o] = T(min(max(v+p.OutputOffset, lo), hi))
	})
}

// BinaryInt32 computes out = clamp(f(a, b), lo, hi) on int32 with
// broadcasting (integer ADD, SUB, MUL wrap like C++'s int32 does).
func BinaryInt32(bc *Broadcast4, a, b, out []int32, lo, hi int32, f func(x, y int32) int32) {
	bc.each(func(o, ia, ib int) { out[o] = min(max(f(a[ia], b[ib]), lo), hi) })
}

// Int32ActivationRange is TFLite's CalculateActivationRange for int32.
func Int32ActivationRange(a Activation) (lo, hi int32) {
	switch a {
	case ActRelu:
		return 0, math.MaxInt32
	case ActRelu6:
		return 0, 6
	case ActReluN1To1:
		return -1, 1
	}
	return math.MinInt32, math.MaxInt32
}
