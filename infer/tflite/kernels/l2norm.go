package kernels

import "math"

// L2NormQuantParams are the parameters of 8-bit L2_NORMALIZATION, whose
// output TFLite fixes at scale 1/128 (zero point 128 for uint8, 0 for int8).
type L2NormQuantParams struct {
	InputZP int32
}

// satShiftLeft is gemmlowp's SaturatingRoundingMultiplyByPOT for a
// positive exponent.
func satShiftLeft(x int32, e uint) int32 {
	th := int32(1)<<(31-e) - 1
	switch {
	case x > th:
		return math.MaxInt32
	case x < -th:
		return math.MinInt32
	}
	return x << e
}

// InvSqrtQuantizedMultiplier is TFLite's GetInvSqrtQuantizedMultiplierExp
// with reverse_shift −1: a Q31 multiplier and a (left) shift approximating
// 1/√x by five Newton-Raphson steps in gemmlowp fixed point.
func InvSqrtQuantizedMultiplier(x int32) (int32, int) {
	if x <= 1 {
		return math.MaxInt32, 0
	}
	shift := 11
	for x >= 1<<29 {
		x /= 4
		shift++
	}
	lz := 0
	for v := uint32(x); v&(1<<31) == 0; v <<= 1 {
		lz++
	}
	pairs := (lz-1)/2 - 1
	shift -= pairs
	x <<= 2 * uint(pairs)
	in := x >> 1                           // F3
	halfIn := RoundingDivideByPOT(in, 1)   // F3
	const halfThree = int32(1<<28 + 1<<27) // 1.5 in F3
	v := int32(1 << 28)                    // 1.0 in F3
	for range 5 {
		x3 := satShiftLeft(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(v, v), v), 6)
		v = satShiftLeft(SaturatingRoundingDoublingHighMul(halfThree, v)-SaturatingRoundingDoublingHighMul(halfIn, x3), 3)
	}
	v = SaturatingRoundingDoublingHighMul(v, 1518500250)
	if shift < 0 {
		v <<= uint(-shift)
		shift = 0
	}
	return v, -shift
}

// L2NormQuant computes 8-bit L2_NORMALIZATION over rows of depth elements
// (TFLite's reference uint8 and int8 kernels).
func L2NormQuant[T int8like](p *L2NormQuantParams, depth int, in, out []T) {
	lo, hi := Limits[T]()
	isU8 := lo == 0
	for o := 0; o+depth <= len(out); o += depth {
		var acc int32
		for _, v := range in[o : o+depth] {
			d := int32(v) - p.InputZP
			acc += d * d
		}
		m, s := InvSqrtQuantizedMultiplier(acc)
		for i, v := range in[o : o+depth] {
			d := int32(v) - p.InputZP
			var r int32
			if isU8 {
				r = 128 + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(128*d, m), -s)
			} else {
				r = MultiplyByQuantizedMultiplier(d, m, s+7)
			}
			out[o+i] = T(min(max(r, lo), hi))
		}
	}
}
