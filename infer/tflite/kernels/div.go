package kernels

import (
	"math"
	"math/bits"
)

// DivParams are the parameters of uint8 DIV (TFLite's div.cc): out =
// zp_out + (x/y)·s1/(s2·s_out) with x, y the offset codes.
type DivParams struct {
	Input1Offset, Input2Offset, OutputOffset int32
	Multiplier                               int32
	Shift                                    int
	ActMin, ActMax                           int32
}

// PrepareDiv computes the multiplier s1/(s2·so) in float32, as div.cc does.
func PrepareDiv(s1 float32, zp1 int32, s2 float32, zp2 int32, so float32, zpo int32) DivParams {
	p := DivParams{Input1Offset: -zp1, Input2Offset: -zp2, OutputOffset: zpo}
	p.Multiplier, p.Shift = QuantizeMultiplier(float64(s1 / (s2 * so)))
	return p
}

// countLeadingSignBits is TFLite's CountLeadingSignBits for int32.
func countLeadingSignBits(x int32) int {
	switch {
	case x >= 0:
		return bits.LeadingZeros32(uint32(x)) - 1
	case x == math.MinInt32:
		return 0
	}
	return bits.LeadingZeros32(2*uint32(-x) - 1)
}

// saturatingShiftLeft is gemmlowp's SaturatingRoundingMultiplyByPOT for a
// positive exponent e.
func saturatingShiftLeft(x int32, e uint) int32 {
	threshold := int32(1)<<(31-e) - 1
	switch {
	case x > threshold:
		return math.MaxInt32
	case x < -threshold:
		return math.MinInt32
	}
	return x << e
}

// oneOverOnePlusX is gemmlowp's one_over_one_plus_x_for_x_in_0_1 on Q0.31
// raw values: three Newton-Raphson steps from 48/17 − 32/17·d in Q2.29,
// where d = (1 + x)/2.
func oneOverOnePlusX(a int32) int32 {
	sum := int64(a) + math.MaxInt32 // F0::One() saturates to 2^31 − 1
	sign := int64(1)
	if sum < 0 {
		sign = -1
	}
	half := int32((sum + sign) / 2)
	const c48over17, cNeg32over17 = 1515870810, -1010580540
	x := c48over17 + SaturatingRoundingDoublingHighMul(half, cNeg32over17)
	for range 3 {
		hx := SaturatingRoundingDoublingHighMul(half, x)
		oneMinus := int32(1<<29) - hx
		x += saturatingShiftLeft(SaturatingRoundingDoublingHighMul(x, oneMinus), 2)
	}
	return saturatingShiftLeft(x, 1)
}

// reciprocal is TFLite's GetReciprocal(x, 31, &bitsOverUnit) for x > 0:
// 1/x as a Q0.31 value and the power of two it is scaled by.
func reciprocal(x int32) (int32, int) {
	lz := bits.LeadingZeros32(uint32(x))
	shifted := int32(uint32(x)<<uint(lz) - 1<<31)
	return oneOverOnePlusX(shifted), 31 - lz
}

func (p *DivParams) div(a, b int32) int32 {
	x, y := p.Input1Offset+a, p.Input2Offset+b
	if y == 0 {
		// TFLite fails the Invoke on a zero code; give the saturated
		// quotient of the numerator's sign rather than fail.
		if x >= 0 {
			return p.ActMax
		}
		return p.ActMin
	}
	ay := y
	if y < 0 {
		ay = -y
	}
	inv, recipShift := reciprocal(ay)
	if y < 0 {
		inv = -inv
	}
	headroom := countLeadingSignBits(x)
	q := SaturatingRoundingDoublingHighMul(x*(1<<uint(headroom)), inv)
	shift := p.Shift - recipShift - headroom
	var r int32
	if shift < -31 {
		r = p.OutputOffset + divideByPOTPast31(SaturatingRoundingDoublingHighMul(q, p.Multiplier), -shift)
	} else {
		r = p.OutputOffset + MultiplyByQuantizedMultiplier(q, p.Multiplier, shift)
	}
	return min(max(r, p.ActMin), p.ActMax)
}

// divideByPOTPast31 is what TFLite's compiled RoundingDivideByPOT does
// for an exponent e > 31, which its DIV reaches with a small numerator
// (normalised to 30 bits of headroom) and a large divisor: C++ leaves the
// shift undefined, and x86-64 and WebAssembly shift by e mod 32 while the
// mask (1<<e) − 1, computed in 64 bits and truncated, is all ones. The
// quotient then comes out near ±2^30, so such outputs saturate (observed
// in TFLite-wasm, see TestDivPast31).
func divideByPOTPast31(x int32, e int) int32 {
	mask := int32(int64(1)<<uint(e) - 1)
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> uint(e&31)
	if x&mask > threshold {
		r++
	}
	return r
}

// DivUint8 computes uint8 DIV with broadcasting as TFLite's reference
// kernel does: the divisor's fixed-point reciprocal, the numerator
// normalised to full headroom, one rounding multiply, then the output
// rescaling.
func DivUint8(p *DivParams, bc *Broadcast4, a, b, out []uint8) {
	if bc.Flat {
		for i := range out {
			out[i] = uint8(p.div(int32(a[i]), int32(b[i])))
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = uint8(p.div(int32(a[ia]), int32(b[ib]))) })
}
