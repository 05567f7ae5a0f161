package kernels

import "math"

// HardSwishParams are TFLite's HardSwishParams, computed by
// PrepareHardSwish.
type HardSwishParams struct {
	InputZP, OutputZP int16
	ReluishMultiplier int16
	ReluishExponent   int
	OutputMultiplier  int16
	OutputExponent    int
}

// PrepareHardSwish computes the fixed-point parameters of quantized
// HARD_SWISH as TFLite's HardSwishPrepare does. ok is false when the output
// multiplier exponent is positive (TFLite refuses such models).
func PrepareHardSwish(inScale float32, inZP int32, outScale float32, outZP int32) (p HardSwishParams, ok bool) {
	p.InputZP, p.OutputZP = int16(inZP), int16(outZP)
	hires := (1.0 / 128.0) * inScale
	const reluishScale = float32(3.0 / 32768.0)
	outMul := hires / outScale
	m, e := QuantizeMultiplier(float64(outMul))
	p.OutputMultiplier = downscaleMultiplier(m)
	p.OutputExponent = e
	rm, re := QuantizeMultiplier(float64(hires / reluishScale))
	p.ReluishMultiplier = downscaleMultiplier(rm)
	p.ReluishExponent = re
	return p, e <= 0
}

func downscaleMultiplier(m int32) int16 {
	const off = 1 << 15
	if m >= math.MaxInt32-off {
		return math.MaxInt16
	}
	return int16((m + off) >> 16)
}

func srdhm16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	ab := int32(a) * int32(b)
	nudge := int32(1 << 14)
	if ab < 0 {
		nudge = 1 - (1 << 14)
	}
	return int16((ab + nudge) / (1 << 15))
}

func sdhm16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	return int16((int32(a) * int32(b)) / (1 << 15))
}

func satLeftShift16(v int16, n int) int16 {
	r := int32(v) << uint(n)
	return int16(min(max(r, math.MinInt16), math.MaxInt16))
}

func rdbpot16(x int16, e int) int16 {
	mask := int16(1)<<uint(e) - 1
	rem := x & mask
	th := mask >> 1
	if x < 0 {
		th++
	}
	r := x >> uint(e)
	if rem > th {
		r++
	}
	return r
}

// HardSwishQuant computes quantized HARD_SWISH with TFLite's 16-bit
// fixed-point arithmetic (reference_ops::HardSwish).
func HardSwishQuant[T int8like](p *HardSwishParams, in, out []T) {
	lo, hi := Limits[T]()
	for i, v := range in {
		x := int16(v) - p.InputZP
		hires := x * (1 << 7)
		pre := srdhm16(hires, p.OutputMultiplier)
		r := hires
		if p.ReluishExponent > 0 {
			r = satLeftShift16(r, p.ReluishExponent-1)
		}
		r = srdhm16(r, p.ReluishMultiplier)
		if p.ReluishExponent > 0 {
			r = satLeftShift16(r, 1)
		}
		if p.ReluishExponent < 0 {
			r = rdbpot16(r, -p.ReluishExponent)
		}
		r = int16((int32(r) + (1 << 15)) >> 1)
		o := sdhm16(r, pre)
		ov := int32(rdbpot16(o, -p.OutputExponent)) + int32(p.OutputZP)
		out[i] = T(min(max(ov, lo), hi))
	}
}

// HardSwishFloat32 computes x·relu6(x+3)/6.
func HardSwishFloat32(in, out []float32) {
	for i, x := range in {
		out[i] = x * min(max(x+3, 0), 6) / 6
	}
}
