package kernels

import "math"

// MeanHWParams are the parameters of TFLite's built-in 8-bit MEAN over
// height and width of a 4-D NHWC tensor with keep_dims
// (optimized_integer_ops::Mean): out = clamp(MBQM(Σ in, M, shift) + Bias).
type MeanHWParams struct {
	N, H, W, C int
	Multiplier int32
	Shift      int
	Bias       int32
}

// PrepareMeanHW computes the multiplier and bias in float32 as TFLite does:
// real = inScale/(H·W·outScale), bias = outZP − round(inZP·inScale/outScale).
func PrepareMeanHW(n, h, w, c int, inScale float32, inZP int32, outScale float32, outZP int32) MeanHWParams {
	p := MeanHWParams{N: n, H: h, W: w, C: c}
	num := float32(h * w)
	t := float32(inZP) * inScale / outScale
	if t > 0 {
		t += 0.5
	} else {
		t -= 0.5
	}
	p.Bias = outZP - int32(t)
	p.Multiplier, p.Shift = QuantizeMultiplier(float64(inScale / (num * outScale)))
	return p
}

// MeanHWQuant computes the 8-bit MEAN over H and W.
func MeanHWQuant[T int8like](p *MeanHWParams, in, out []T, acc []int32) {
	lo, hi := Limits[T]()
	acc = acc[:p.C]
	var zero T
	signed := ^zero < 0
	for b := 0; b < p.N; b++ {
		img := in[b*p.H*p.W*p.C:][:p.H*p.W*p.C]
		sumChannels(bytesOf(img), p.H*p.W, p.C, signed, acc)
		o := out[b*p.C:][:p.C]
		for c, s := range acc {
			r := MultiplyByQuantizedMultiplier(s, p.Multiplier, p.Shift) + p.Bias
			o[c] = T(min(max(r, lo), hi))
		}
	}
}

// Reduction describes a reduction of a tensor over some axes: the input
// index space is walked in order and each element is added to the output
// element given by OutStride.
type Reduction struct {
	InShape   []int
	OutStride []int // per input axis: stride in the output, 0 on reduced axes
	Count     int   // number of input elements per output element
	OutSize   int
}

// MakeReduction builds a Reduction of shape over the (resolved, distinct)
// axes.
func MakeReduction(shape []int, axes []bool) Reduction {
	r := Reduction{InShape: shape, OutStride: make([]int, len(shape)), Count: 1, OutSize: 1}
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if axes[i] {
			r.Count *= shape[i]
			continue
		}
		r.OutStride[i] = s
		s *= shape[i]
	}
	r.OutSize = s
	return r
}

// walk calls f(inIndex, outIndex) for every input element in order.
func (r *Reduction) walk(f func(in, out int)) {
	rank := len(r.InShape)
	if rank == 0 {
		f(0, 0)
		return
	}
	for _, d := range r.InShape {
		if d == 0 {
			return
		}
	}
	var idx [8]int
	in, out := 0, 0
	last, ost := r.InShape[rank-1], r.OutStride[rank-1]
	for {
		for i := 0; i < last; i++ {
			f(in, out+i*ost)
			in++
		}
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			out += r.OutStride[d]
			if idx[d] < r.InShape[d] {
				break
			}
			out -= idx[d] * r.OutStride[d]
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// MeanQuantGeneral computes an 8- or 16-bit MEAN over arbitrary axes as TFLite's
// reference QuantizedMeanOrSum does: int32 sums, the multiplier
// inScale/outScale folded with 1/count, and MultiplyByQuantizedMultiplier.
func MeanQuantGeneral[T quantInt](r *Reduction, inZP, outZP, multiplier int32, shift int, in, out []T, sum []int32) {
	lo, hi := Limits[T]()
	sum = sum[:r.OutSize]
	clear(sum)
	r.walk(func(i, o int) { sum[o] += int32(in[i]) })
	n := int64(r.Count)
	if n == 0 {
		return
	}
	s := 63 - leadingZeros64(uint64(n))
	s = min(s, 32, 31+shift)
	m := int32((int64(multiplier) << uint(s)) / n)
	sh := shift - s
	for o := range sum {
		v := MultiplyByQuantizedMultiplier(sum[o]-inZP*int32(n), m, sh) + outZP
		out[o] = T(min(max(v, lo), hi))
	}
}

func leadingZeros64(x uint64) int {
	n := 0
	for i := 63; i >= 0 && x&(1<<uint(i)) == 0; i-- {
		n++
	}
	return n
}

// MeanFloat32 computes a float MEAN over the reduction.
func MeanFloat32(r *Reduction, in, out []float32) {
	out = out[:r.OutSize]
	clear(out)
	r.walk(func(i, o int) { out[o] += in[i] })
	if r.Count == 0 {
		for i := range out {
			out[i] = float32(math.NaN())
		}
		return
	}
	c := float32(r.Count)
	for i := range out {
		out[i] /= c
	}
}
