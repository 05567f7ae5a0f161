package kernels

// Remap describes an output tensor of rank ≤ 6 whose every element is one
// input element: out[i0,…,ik] = in[Base + Σ Map[d][i_d]]. Each axis maps
// its index to an input offset independently, which covers slicing with
// any stride (negative too), broadcasting (offset 0), transposition,
// splitting, mirror padding, nearest-neighbour resizing and the
// depth/space rearrangements. Tables are built once at prepare time.
type Remap struct {
	Base int
	Map  [][]int // per output axis: input offset of each index
}

// NewRemapStrided returns the Remap of a strided view: output axis d has
// n[d] elements starting at input index start[d], step step[d], along an
// input axis of stride stride[d] (in elements).
func NewRemapStrided(n, start, step, stride []int) Remap {
	r := Remap{Map: make([][]int, len(n))}
	for d := range n {
		m := make([]int, n[d])
		for i := range m {
			m[i] = (start[d] + i*step[d]) * stride[d]
		}
		r.Map[d] = m
	}
	return r
}

// Strides returns the row-major element strides of shape.
func Strides(shape []int) []int {
	s := make([]int, len(shape))
	k := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = k
		k *= shape[i]
	}
	return s
}

// Size is the number of output elements.
func (r *Remap) Size() int {
	n := 1
	for _, m := range r.Map {
		n *= len(m)
	}
	return n
}

// RemapCopy fills out (Size elements) from in.
func RemapCopy[T any](r *Remap, in, out []T) {
	rank := len(r.Map)
	if rank == 0 {
		if len(out) > 0 {
			out[0] = in[r.Base]
		}
		return
	}
	for _, m := range r.Map {
		if len(m) == 0 {
			return
		}
	}
	var idx [8]int
	last := r.Map[rank-1]
	o := 0
	off := r.Base
	for d := 0; d < rank-1; d++ {
		off += r.Map[d][0]
	}
	for {
		dst := out[o : o+len(last)]
		for i, m := range last {
			dst[i] = in[off+m]
		}
		o += len(last)
		d := rank - 2
		for ; d >= 0; d-- {
			m := r.Map[d]
			off -= m[idx[d]]
			idx[d]++
			if idx[d] < len(m) {
				off += m[idx[d]]
				break
			}
			idx[d] = 0
			off += m[0]
		}
		if d < 0 {
			return
		}
	}
}
