// Package kernels holds Fovea's operator kernels: plain functions over
// slices, with every parameter (shapes, strides, quantized multipliers)
// computed by the caller once at prepare time. Integer kernels reproduce
// TensorFlow Lite's integer arithmetic exactly, so their results are
// byte-identical to TFLite's built-in kernels.
package kernels

import "math"

// QuantizeMultiplier splits a positive real multiplier into a Q31
// fixed-point mantissa and a power-of-two exponent, as TFLite's
// QuantizeMultiplier does: real ≈ m · 2^(shift−31), m in [2^30, 2^31).
// A zero multiplier gives (0, 0).
func QuantizeMultiplier(real float64) (m int32, shift int) {
	if real == 0 {
		return 0, 0
	}
	frac, exp := math.Frexp(real)
	q := int64(math.Round(frac * (1 << 31)))
	if q == 1<<31 {
		q /= 2
		exp++
	}
	if exp < -31 {
		return 0, 0
	}
	return int32(q), exp
}

// SaturatingRoundingDoublingHighMul returns the high 32 bits of 2·a·b,
// rounded to nearest, saturating the one overflow case (a = b = MinInt32).
// This is gemmlowp's SaturatingRoundingDoublingHighMul. Despite its
// sign-dependent nudge, its ties round toward +∞ (−0.5 → 0, −1.5 → −1):
// the result equals (a·b + 2^30) >> 31.
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == b && a == math.MinInt32 {
		return math.MaxInt32
	}
	ab := int64(a) * int64(b)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - (1 << 30)
	}
	// Go's / truncates toward zero, like C++.
	return int32((ab + nudge) / (1 << 31))
}

// RoundingDivideByPOT divides x by 2^exponent, rounding to nearest with
// ties away from zero (gemmlowp's RoundingDivideByPOT). exponent is in
// [0, 31].
func RoundingDivideByPOT(x int32, exponent int) int32 {
	mask := int32(1)<<uint(exponent) - 1
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> uint(exponent)
	if remainder > threshold {
		r++
	}
	return r
}

// MultiplyByQuantizedMultiplier computes x · m · 2^(shift−31) with TFLite's
// reference rounding: a saturating rounding doubling high multiply, then a
// rounding right shift (both ties away from zero).
func MultiplyByQuantizedMultiplier(x, m int32, shift int) int32 {
	left, right := 0, 0
	if shift > 0 {
		left = shift
	} else {
		right = -shift
	}
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x*(1<<uint(left)), m), right)
}

// MultiplyByQuantizedMultiplierHalfUp computes x · m · 2^(shift−31) the way
// TFLite's built-in (optimized, ruy-based) kernels do on x86-64 in 64-bit
// arithmetic: v = (x·2^left·m + 2^30) >> 31, then (v + 2^(right−1)) >>
// right, both arithmetic shifts, so both steps round ties toward +∞. This
// was measured against the goldens for int8 per-channel CONV_2D; it differs
// from MultiplyByQuantizedMultiplier by ±1 on exact ties.
func MultiplyByQuantizedMultiplierHalfUp(x, m int32, shift int) int32 {
	left, right := 0, 0
	if shift > 0 {
		left = shift
	} else {
		right = -shift
	}
	v := (int64(x)<<uint(left)*int64(m) + (1 << 30)) >> 31
	if right > 0 {
		v = (v + int64(1)<<uint(right-1)) >> uint(right)
	}
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	if v < math.MinInt32 {
		return math.MinInt32
	}
	return int32(v)
}
