package kernels

import "math"

// ReduceKind selects SUM, REDUCE_PROD, REDUCE_MAX or REDUCE_MIN.
type ReduceKind int

// Reductions.
const (
	ReduceSum ReduceKind = iota
	ReduceProd
	ReduceMax
	ReduceMin
)

type reducible interface {
	int8like | ~int16 | ~int32 | ~int64 | ~float32
}

// ReduceRaw reduces elements in their own type, in input order, as
// TFLite's generic reduction does: the output starts at the neutral
// element and each input element is combined into its output element
// (integer sums and products wrap like C++'s do).
func ReduceRaw[T reducible](r *Reduction, kind ReduceKind, in, out []T) {
	out = out[:r.OutSize]
	var init T
	switch kind {
	case ReduceProd:
		init = 1
	case ReduceMax:
		init = lowest[T]()
	case ReduceMin:
		init = highest[T]()
	}
	for i := range out {
		out[i] = init
	}
	switch kind {
	case ReduceSum:
		r.walk(func(i, o int) { out[o] += in[i] })
	case ReduceProd:
		r.walk(func(i, o int) { out[o] *= in[i] })
	case ReduceMax:
		r.walk(func(i, o int) {
			if in[i] > out[o] {
				out[o] = in[i]
			}
		})
	case ReduceMin:
		r.walk(func(i, o int) {
			if in[i] < out[o] {
				out[o] = in[i]
			}
		})
	}
}

func lowest[T reducible]() T {
	var z T
	switch any(z).(type) {
	case float32:
		return any(float32(-math.MaxFloat32)).(T)
	case int8:
		return any(int8(math.MinInt8)).(T)
	case uint8:
		return 0
	case int16:
		return any(int16(math.MinInt16)).(T)
	case int32:
		return any(int32(math.MinInt32)).(T)
	}
	return any(int64(math.MinInt64)).(T)
}

func highest[T reducible]() T {
	var z T
	switch any(z).(type) {
	case float32:
		return any(float32(math.MaxFloat32)).(T)
	case int8:
		return any(int8(math.MaxInt8)).(T)
	case uint8:
		return any(uint8(math.MaxUint8)).(T)
	case int16:
		return any(int16(math.MaxInt16)).(T)
	case int32:
		return any(int32(math.MaxInt32)).(T)
	}
	return any(int64(math.MaxInt64)).(T)
}

// SumRescaleParams are the float32 parameters of TFLite's optimized 8-bit
// SUM with rescaling (QuantizedMeanOrSum, compute_sum): out =
// T(round(sum·Scale + Bias) + OutZP), wrapping like the C++ cast.
type SumRescaleParams struct {
	Scale, Bias float32
	OutZP       int32
}

// PrepareSumRescale computes scale = s_in/s_out and bias = −zp_in·scale·n
// in float32.
func PrepareSumRescale(sin float32, zpin int32, sout float32, zpout int32, n int) SumRescaleParams {
	scale := sin / sout
	return SumRescaleParams{Scale: scale, Bias: float32(float32(-zpin)*scale) * float32(n), OutZP: zpout}
}

// SumRescaleQuant computes the 8-bit SUM with rescaling.
func SumRescaleQuant[T int8like](r *Reduction, p *SumRescaleParams, in, out []T, sum []int32) {
	sum = sum[:r.OutSize]
	clear(sum)
	r.walk(func(i, o int) { sum[o] += int32(in[i]) })
	for o, s := range sum {
		v := float32(float32(s)*p.Scale) + p.Bias
		out[o] = T(int32(math.Round(float64(v))) + p.OutZP)
	}
}

// MeanTruncQuant is TFLite's integer MEAN when input and output share
// quantization: int32 sums divided by the count, truncating toward zero.
func MeanTruncQuant[T quantInt](r *Reduction, in, out []T, sum []int32) {
	sum = sum[:r.OutSize]
	clear(sum)
	r.walk(func(i, o int) { sum[o] += int32(in[i]) })
	if r.Count == 0 {
		return
	}
	for o, s := range sum {
		out[o] = T(s / int32(r.Count))
	}
}

// ArgMinMax writes, for each (outer, inner) position, the index along an
// axis of axisLen elements of the first maximum (or minimum): TFLite
// compares with a strict > (<), so ties keep the first index.
func ArgMinMax[T reducible, I ~int32 | ~int64](outer, axisLen, inner int, isMax bool, in []T, out []I) {
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			base := o*axisLen*inner + j
			best, bi := in[base], 0
			for i := 1; i < axisLen; i++ {
				v := in[base+i*inner]
				if (isMax && v > best) || (!isMax && v < best) {
					best, bi = v, i
				}
			}
			out[o*inner+j] = I(bi)
		}
	}
}

// ProdQuant is TFLite's quantized REDUCE_PROD (int8, int16): for each
// output the first element's offset code, then for each further element
// the running product times its offset code rescaled by m·2^shift (the
// int64 MultiplyByQuantizedMultiplier), and that rescaling once more at
// the end, plus the output zero point. acc holds 2·OutSize int32s.
func ProdQuant[T quantInt](r *Reduction, inZP, outZP, m int32, shift int, in, out []T, acc []int32) {
	lo, hi := Limits[T]()
	prod, seen := acc[:r.OutSize], acc[r.OutSize:2*r.OutSize]
	clear(seen)
	r.walk(func(i, o int) {
		v := int32(in[i]) - inZP
		if seen[o] == 0 {
			prod[o], seen[o] = v, 1
			return
		}
		prod[o] = MultiplyByQuantizedMultiplier64(int64(prod[o])*int64(v), m, shift)
	})
	for o := range out[:r.OutSize] {
		if seen[o] == 0 {
			continue // an empty input: TFLite returns early
		}
		v := MultiplyByQuantizedMultiplier64(int64(prod[o]), m, shift) + outZP
		out[o] = T(min(max(v, lo), hi))
	}
}
