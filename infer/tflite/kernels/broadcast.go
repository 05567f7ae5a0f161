package kernels

// Broadcast4 describes an elementwise op over two inputs broadcast to a
// 4-D output (shapes right-aligned and padded with 1s to rank 4). Strides
// are in elements; a stride of 0 repeats the input along that axis.
type Broadcast4 struct {
	Out     [4]int
	StrideA [4]int
	StrideB [4]int
	// Flat is true when both inputs have the output's shape, so the op can
	// run as one flat loop.
	Flat bool
}

// MakeBroadcast4 builds the iteration of out = f(a, b) for shapes of rank at
// most 4. ok is false when the shapes do not broadcast or the rank exceeds 4.
func MakeBroadcast4(a, b []int) (bc Broadcast4, out []int, ok bool) {
	if len(a) > 4 || len(b) > 4 {
		return bc, nil, false
	}
	var ea, eb [4]int
	ext := func(s []int, e *[4]int) {
		for i := range e {
			e[i] = 1
		}
		copy(e[4-len(s):], s)
	}
	ext(a, &ea)
	ext(b, &eb)
	rank := max(len(a), len(b))
	for i := 0; i < 4; i++ {
		switch {
		case ea[i] == eb[i]:
			bc.Out[i] = ea[i]
		case ea[i] == 1:
			bc.Out[i] = eb[i]
		case eb[i] == 1:
			bc.Out[i] = ea[i]
		default:
			return bc, nil, false
		}
	}
	sa, sb := 1, 1
	for i := 3; i >= 0; i-- {
		if ea[i] != 1 {
			bc.StrideA[i] = sa
		}
		if eb[i] != 1 {
			bc.StrideB[i] = sb
		}
		sa *= ea[i]
		sb *= eb[i]
	}
	bc.Flat = ea == eb
	out = append([]int(nil), bc.Out[4-rank:]...)
	return bc, out, true
}

// each calls f(outIndex, aIndex, bIndex) for every output element in order.
func (bc *Broadcast4) each(f func(o, ia, ib int)) {
	o := 0
	for i0 := 0; i0 < bc.Out[0]; i0++ {
		for i1 := 0; i1 < bc.Out[1]; i1++ {
			for i2 := 0; i2 < bc.Out[2]; i2++ {
				ia := i0*bc.StrideA[0] + i1*bc.StrideA[1] + i2*bc.StrideA[2]
				ib := i0*bc.StrideB[0] + i1*bc.StrideB[1] + i2*bc.StrideB[2]
				for i3 := 0; i3 < bc.Out[3]; i3++ {
					f(o, ia, ib)
					o++
					ia += bc.StrideA[3]
					ib += bc.StrideB[3]
				}
			}
		}
	}
}
