package kernels

import (
	"math"
	"math/bits"
)

// LUT16 is TFLite's int16 lookup table with interpolation: 512 samples of a
// function over an input range mapped onto [−32768, 32767], plus one more
// value for the slope of the last interval.
type LUT16 [513]int16

// populateLUT16 fills t as TFLite's gen_lut<double, int16_t, int16_t> does:
// f sampled over [inMin, inMax] in 512 steps, scaled so that [outMin,
// outMax] spans 65536 codes, each sample biased by half the error of
// linear interpolation at the interval's midpoint.
func populateLUT16(t *LUT16, f func(float64) float64, inMin, inMax, outMin, outMax float64) {
	const steps = 512
	step := (inMax - inMin) / steps
	half := step / 2
	scale := 65536 / (outMax - outMin)
	clamp := func(v float64) int16 { return int16(min(max(v, math.MinInt16), math.MaxInt16)) }
	for i := 0; i < steps; i++ {
		v := f(inMin + float64(i)*step)
		mid := f(inMin + float64(i)*step + half)
		next := f(inMin + float64(i+1)*step)
		sample := math.Round(v * scale)
		interp := math.Round((next*scale + math.Round(v*scale)) / 2)
		err := interp - math.Round(mid*scale)
		t[i] = clamp(sample - math.Round(err/2))
	}
	t[steps] = clamp(math.Round(f(inMax) * scale))
}

// lookup16 is TFLite's generic_int16_table_lookup: the table entry at the
// top 9 bits of v plus the slope times the low 7 bits, rounded.
func (t *LUT16) lookup16(v int16) int16 {
	i := 256 + int(v>>7)
	off := int32(v & 0x7f)
	base := int32(t[i])
	slope := int32(t[i+1]) - base
	return int16(base + (slope*off+64)>>7)
}

// SoftmaxInt16Params are the tables and input rescaling of int16 SOFTMAX.
type SoftmaxInt16Params struct {
	exp, recip LUT16
	Multiplier int32
	Shift      int
}

// PrepareSoftmaxInt16 builds the exp table over [−10, 0], the 1/(1+x)
// table over [0, 1], and the multiplier that maps input differences onto
// [−65535, 0] ≙ [−10, 0], as TFLite's SoftmaxPrepare does for int16.
func PrepareSoftmaxInt16(inScale, beta float32) *SoftmaxInt16Params {
	p := &SoftmaxInt16Params{}
	populateLUT16(&p.exp, math.Exp, -10, 0, -1, 1)
	populateLUT16(&p.recip, func(x float64) float64 { return 1 / (1 + x) }, 0, 1, -1, 1)
	p.Multiplier, p.Shift = QuantizeMultiplier(float64(inScale) * float64(beta) / (10.0 / 65535.0))
	return p
}

// SoftmaxInt16 computes int16 SOFTMAX over rows of depth elements (output
// scale 1/32768, zero point 0) as TFLite's SoftmaxInt16 does: exp of the
// rescaled difference to the row maximum by table, a Q16.15 sum, its
// reciprocal by table after normalising, and a rounded product.
func SoftmaxInt16(p *SoftmaxInt16Params, depth int, in, out []int16) {
	if depth <= 0 {
		return
	}
	for r := 0; r+depth <= len(in); r += depth {
		row, o := in[r:r+depth], out[r:r+depth]
		mx := int16(math.MinInt16)
		for _, v := range row {
			mx = max(mx, v)
		}
		var sum int32
		for c, v := range row {
			d := MultiplyByQuantizedMultiplier(int32(v)-int32(mx), p.Multiplier, p.Shift) + 32767
			e := p.exp.lookup16(int16(min(max(d, math.MinInt16), math.MaxInt16)))
			o[c] = e
			sum += int32(e)
		}
		headroom := bits.LeadingZeros32(uint32(sum))
		shifted := int32((int64(sum)<<uint(headroom-1) + 1<<13) >> 14)
		x := shifted - (1<<15 + 1<<16)
		recip := int64(p.recip.lookup16(int16(min(max(x, math.MinInt16), math.MaxInt16))))
		right := uint(31 - headroom)
		for c, e := range o {
			v := (int64(e)*recip + int64(1)<<(right-1)) >> right
			o[c] = int16(min(max(v, 0), 32767))
		}
	}
}
