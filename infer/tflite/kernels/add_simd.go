package kernels

import "unsafe"

// addVecs is the number of 8-int32 parameter vectors of the vectorized
// ADD (add_amd64.s): offsets o1, o2, oo, the clamp, three stages of
// (multiplier, left shift, right shift, mask, mask>>1), then 2^30 as int64
// lanes and the byte mask 0xff.
const addVecs = 22

// addVectors fills v with p's parameters broadcast to 8 lanes.
func addVectors(p *AddParams, v *[addVecs * 8]int32) {
	set := func(i int, x int32) {
		for l := range 8 {
			v[i*8+l] = x
		}
	}
	set(0, p.Input1Offset)
	set(1, p.Input2Offset)
	set(2, p.OutputOffset)
	set(3, p.ActMin)
	set(4, p.ActMax)
	stage := func(s int, m int32, shift, pre int) {
		l, r := splitShift(shift)
		set(5+5*s, m)
		set(6+5*s, int32(int(l)+pre))
		set(7+5*s, int32(r))
		mask := int32(uint32(1)<<r - 1)
		set(8+5*s, mask)
		set(9+5*s, mask>>1)
	}
	stage(0, p.Input1Multiplier, p.Input1Shift, p.LeftShift)
	stage(1, p.Input2Multiplier, p.Input2Shift, p.LeftShift)
	stage(2, p.OutputMultiplier, p.OutputShift, 0)
	for l := range 4 {
		v[20*8+2*l], v[20*8+2*l+1] = 1<<30, 0
	}
	set(21, 0xff)
}

// addFlatSIMD computes the first len(out) &^ 7 elements of addFlat with
// AVX2 (on arm64, len(out) &^ 15 with NEON: addFlatNEON) and returns how
// many it did. The left shifts (20 plus the input's)
// are applied as one int32 shift, as the Go code's two shifts wrap the
// same way; the shifts of QuantizeMultiplier's results are at most 31.
func addFlatSIMD[T int8like](p *AddParams, a, b, out []T) int {
	n := len(out) &^ 7
	l1, _ := splitShift(p.Input1Shift)
	l2, _ := splitShift(p.Input2Shift)
	if n == 0 || p.LeftShift+int(l1) > 31 || p.LeftShift+int(l2) > 31 ||
		p.Input1Shift < -31 || p.Input2Shift < -31 || p.OutputShift < -31 || p.OutputShift > 31 {
		return 0
	}
	if Active().arm64() {
		return addFlatNEON(p, a, b, out)
	}
	if !Active().x86() {
		return 0
	}
	var v [addVecs * 8]int32
	addVectors(p, &v)
	x := (*byte)(unsafe.Pointer(&a[0]))
	y := (*byte)(unsafe.Pointer(&b[0]))
	o := (*byte)(unsafe.Pointer(&out[0]))
	var zero T
	if ^zero < 0 {
		addQuantI8AVX2(x, y, o, n, &v[0])
	} else {
		addQuantU8AVX2(x, y, o, n, &v[0])
	}
	return n
}
