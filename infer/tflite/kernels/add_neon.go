package kernels

import "unsafe"

//go:generate go run ./internal/neongen -kernels add -o add_neon_arm64.s

// addVecsNEON is the number of 4-int32 parameter vectors of the arm64 ADD
// (add_neon_arm64.s): offsets o1, o2, oo, the clamp, then per stage
// (input 1, input 2, output) the left shift, the multiplier, −1 when the
// stage shifts right (else 0) and −right.
const addVecsNEON = 17

// addVectorsNEON fills v with p's parameters broadcast to 4 lanes.
func addVectorsNEON(p *AddParams, v *[addVecsNEON * 4]int32) {
	set := func(i int, x int32) {
		for l := range 4 {
			v[i*4+l] = x
		}
	}
	set(0, p.Input1Offset)
	set(1, p.Input2Offset)
	set(2, p.OutputOffset)
	set(3, p.ActMin)
	set(4, p.ActMax)
	stage := func(s int, m int32, shift, pre int) {
		l, r := splitShift(shift)
		set(5+4*s, int32(int(l)+pre))
		set(6+4*s, m)
		if r > 0 {
			set(7+4*s, -1)
		}
		set(8+4*s, -int32(r))
	}
	stage(0, p.Input1Multiplier, p.Input1Shift, p.LeftShift)
	stage(1, p.Input2Multiplier, p.Input2Shift, p.LeftShift)
	stage(2, p.OutputMultiplier, p.OutputShift, 0)
}

// addFlatNEON computes the first len(out) &^ 15 elements of addFlat with
// the arm64 kernel and returns how many it did; addFlatSIMD has checked
// the parameters.
func addFlatNEON[T int8like](p *AddParams, a, b, out []T) int {
	n := len(out) &^ 15
	if n == 0 {
		return 0
	}
	var v [addVecsNEON * 4]int32
	addVectorsNEON(p, &v)
	x := (*byte)(unsafe.Pointer(&a[0]))
	y := (*byte)(unsafe.Pointer(&b[0]))
	o := (*byte)(unsafe.Pointer(&out[0]))
	var zero T
	if ^zero < 0 {
		addQuantI8NEON(x, y, o, n, &v[0])
	} else {
		addQuantU8NEON(x, y, o, n, &v[0])
	}
	return n
}
