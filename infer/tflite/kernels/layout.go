package kernels

// PadParams describe PAD of a tensor of rank ≤ 6 with constant padding:
// Before[i] and After[i] elements are added on each side of axis i.
type PadParams struct {
	InShape       []int
	Before, After []int
}

// Pad copies in into out (shape InShape + Before + After) and fills the
// border with pad. It works on any element type.
func Pad[T any](p *PadParams, in, out []T, pad T) {
	for i := range out {
		out[i] = pad
	}
	rank := len(p.InShape)
	if rank == 0 {
		if len(in) > 0 && len(out) > 0 {
			out[0] = in[0]
		}
		return
	}
	outShape := make6(p.InShape, p.Before, p.After)
	var outStride [6]int
	s := 1
	for i := rank - 1; i >= 0; i-- {
		outStride[i] = s
		s *= outShape[i]
	}
	var inStride [6]int
	s = 1
	for i := rank - 1; i >= 0; i-- {
		inStride[i] = s
		s *= p.InShape[i]
	}
	inner := p.InShape[rank-1]
	if inner == 0 {
		return
	}
	for i := 0; i < rank; i++ {
		if p.InShape[i] == 0 {
			return
		}
	}
	var idx [6]int
	for {
		inOff, outOff := 0, 0
		for d := 0; d < rank; d++ {
			inOff += idx[d] * inStride[d]
			outOff += (idx[d] + p.Before[d]) * outStride[d]
		}
		copy(out[outOff:outOff+inner], in[inOff:inOff+inner])
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < p.InShape[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

func make6(in, before, after []int) [6]int {
	var s [6]int
	for i := range in {
		s[i] = in[i] + before[i] + after[i]
	}
	return s
}

// TransposeParams describe TRANSPOSE of a tensor of rank ≤ 6: output axis
// i is input axis Perm[i].
type TransposeParams struct {
	InShape []int
	Perm    []int
}

// Transpose permutes the axes of in into out.
func Transpose[T any](p *TransposeParams, in, out []T) {
	rank := len(p.InShape)
	var inStride, outShape, strideForOut [6]int
	s := 1
	for i := rank - 1; i >= 0; i-- {
		inStride[i] = s
		s *= p.InShape[i]
	}
	for i := 0; i < rank; i++ {
		outShape[i] = p.InShape[p.Perm[i]]
		strideForOut[i] = inStride[p.Perm[i]]
	}
	if rank == 0 {
		copy(out, in)
		return
	}
	for i := 0; i < rank; i++ {
		if outShape[i] == 0 {
			return
		}
	}
	var idx [6]int
	o, off := 0, 0
	last, st := outShape[rank-1], strideForOut[rank-1]
	for {
		for i := 0; i < last; i++ {
			out[o] = in[off+i*st]
			o++
		}
		d := rank - 2
		for ; d >= 0; d-- {
			idx[d]++
			off += strideForOut[d]
			if idx[d] < outShape[d] {
				break
			}
			off -= idx[d] * strideForOut[d]
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// ConcatQuantInput is one input of a quantized CONCATENATION whose scale
// or zero point differs from the output's (TFLite's
// ConcatenationWithScaling): out = clamp(round(q·Scale + Bias) + OutZP).
type ConcatQuantInput struct {
	Rescale     bool
	Scale, Bias float32
}

// Concat concatenates inputs along an axis: each input is Outer blocks
// of Inner[i] contiguous elements; the output interleaves them.
func Concat[T any](outer int, inner []int, ins [][]T, out []T) {
	o := 0
	for b := 0; b < outer; b++ {
		for i, in := range ins {
			n := inner[i]
			copy(out[o:o+n], in[b*n:b*n+n])
			o += n
		}
	}
}

// RescaleQuant applies a ConcatQuantInput rescale to a block in place.
func RescaleQuant[T int8like](r *ConcatQuantInput, outZP int32, in, out []T) {
	lo, hi := Limits[T]()
	for i, v := range in {
		q := int32(roundHalfAway32(float32(float32(v)*r.Scale)+r.Bias)) + outZP
		out[i] = T(min(max(q, lo), hi))
	}
}

func roundHalfAway32(x float32) float32 {
	return float32(roundF64(float64(x)))
}
