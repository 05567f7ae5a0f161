package optest

import "math"

// alt16x8 is TFLite's documented requantization of a 16x8 layer, for the
// harness's alt: the exact int64 accumulator (recovered from the real
// result at scale s_in·s_w[c]) times the Q31 multiplier of s_in·s_w[c]/s_out
// reduced to Q15, shifted right with rounding half up
// (MultiplyByQuantizedMultiplier for int64 in TFLite's common.h). Output
// channels are the last axis; a per-tensor FULLY_CONNECTED takes the
// scale product in float32.
//
// Without an int64 bias (acc32) TFLite runs its optimized kernel instead:
// an int32 accumulator and the half-up requantization of the int8 kernels.
func alt16x8(real []float64, in, w, out *tensor, oc int, fc, acc32 bool) []int32 {
	alt := make([]int32, len(real))
	for i, v := range real {
		sw := w.scales[0]
		if len(w.scales) > 1 {
			sw = w.scales[i%oc]
		}
		acc := int64(math.Round(v / (in.scales[0] * sw)))
		m := in.scales[0] * sw / out.scales[0]
		if fc && len(w.scales) == 1 {
			m = float64(float32(in.scales[0])*float32(sw)) / out.scales[0]
		}
		if acc32 {
			alt[i] = halfUp32(acc, m)
		} else {
			alt[i] = mbqm64(acc, m)
		}
	}
	return alt
}

// mbqm64 applies the real multiplier m the way TFLite's int64
// MultiplyByQuantizedMultiplier does: m = f·2^e with f in [0.5, 1) as a
// Q31 integer, reduced to Q15, then (acc·m15 + 2^(t−1)) >> t, t = 15 − e.
func mbqm64(acc int64, m float64) int32 {
	f, e := math.Frexp(m)
	q31 := int64(math.Round(f * (1 << 31)))
	if q31 == 1<<31 {
		q31 /= 2
		e++
	}
	q15 := int64(0x7FFF)
	if q31 < 0x7FFF0000 {
		q15 = (q31 + 1<<15) >> 16
	}
	t := uint(15 - e)
	return int32((acc*q15 + int64(1)<<(t-1)) >> t)
}

// halfUp32 is the half-up requantization of TFLite's optimized integer
// kernels: v = (acc·2^l·M + 2^30) >> 31, then (v + 2^(r−1)) >> r, with M
// the Q31 multiplier of m = f·2^e (l = e when e > 0, else r = −e).
func halfUp32(acc int64, m float64) int32 {
	f, e := math.Frexp(m)
	q31 := int64(math.Round(f * (1 << 31)))
	if q31 == 1<<31 {
		q31 /= 2
		e++
	}
	left, right := max(e, 0), max(-e, 0)
	v := (acc<<uint(left)*q31 + 1<<30) >> 31
	if right > 0 {
		v = (v + int64(1)<<uint(right-1)) >> uint(right)
	}
	return int32(v)
}
