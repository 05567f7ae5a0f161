package kernels

// AddParams are the parameters of quantized ADD (TFLite's ArithmeticParams
// for 8-bit ADD), computed by PrepareAdd.
type AddParams struct {
	Input1Offset, Input2Offset, OutputOffset int32
	LeftShift                                int
	Input1Multiplier, Input2Multiplier       int32
	Input1Shift, Input2Shift                 int
	OutputMultiplier                         int32
	OutputShift                              int
	ActMin, ActMax                           int32
}

// PrepareAdd computes the fixed-point rescaling of 8-bit ADD as TFLite's
// add.cc Prepare does: both inputs are shifted left by 20 bits and scaled
// to twice the larger input scale, summed, then scaled to the output.
func PrepareAdd(s1 float32, zp1 int32, s2 float32, zp2 int32, so float32, zpo int32) AddParams {
	p := AddParams{Input1Offset: -zp1, Input2Offset: -zp2, OutputOffset: zpo, LeftShift: 20}
	twiceMax := float64(2 * max(s1, s2))
	p.Input1Multiplier, p.Input1Shift = QuantizeMultiplier(float64(s1) / twiceMax)
	p.Input2Multiplier, p.Input2Shift = QuantizeMultiplier(float64(s2) / twiceMax)
	p.OutputMultiplier, p.OutputShift = QuantizeMultiplier(twiceMax / float64(float32(int32(1)<<uint(p.LeftShift))*so))
	return p
}

// mbqm is MultiplyByQuantizedMultiplier for a positive multiplier m
// (as QuantizeMultiplier returns) with the shift split into left and
// right: gemmlowp's saturating rounding doubling high multiply reduces to
// (x·m + 2^30) >> 31 when m > 0 (no saturation is possible), then a
// rounding right shift, ties away from zero. It inlines, unlike the
// general function.
func mbqm(x int32, m int64, left, right uint) int32 {
	h := int32((int64(x<<left)*m + 1<<30) >> 31)
	mask := int32(1)<<right - 1
	r := h >> right
	if h&mask > mask>>1+int32(uint32(h)>>31) {
		r++
	}
	return r
}

func splitShift(shift int) (left, right uint) {
	if shift > 0 {
		return uint(shift), 0
	}
	return 0, uint(-shift)
}

// addFlat is AddQuant for inputs of the output's shape.
func addFlat[T int8like](p *AddParams, a, b, out []T) {
	a, b = a[:len(out)], b[:len(out)]
	if n := addFlatSIMD(p, a, b, out); n > 0 {
		a, b, out = a[n:], b[n:], out[n:]
	}
	ls := uint(p.LeftShift)
	o1, o2, oo := p.Input1Offset, p.Input2Offset, p.OutputOffset
	m1, m2, mo := int64(p.Input1Multiplier), int64(p.Input2Multiplier), int64(p.OutputMultiplier)
	l1, r1 := splitShift(p.Input1Shift)
	l2, r2 := splitShift(p.Input2Shift)
	lo, ro := splitShift(p.OutputShift)
	amin, amax := p.ActMin, p.ActMax
	for i := range out {
		x := mbqm((o1+int32(a[i]))<<ls, m1, l1, r1)
		y := mbqm((o2+int32(b[i]))<<ls, m2, l2, r2)
		r := mbqm(x+y, mo, lo, ro) + oo
		out[i] = T(min(max(r, amin), amax))
	}
}

func (p *AddParams) add(a, b int32) int32 {
	x := (p.Input1Offset + a) * (1 << uint(p.LeftShift))
	y := (p.Input2Offset + b) * (1 << uint(p.LeftShift))
	x = MultiplyByQuantizedMultiplier(x, p.Input1Multiplier, p.Input1Shift)
	y = MultiplyByQuantizedMultiplier(y, p.Input2Multiplier, p.Input2Shift)
	r := MultiplyByQuantizedMultiplier(x+y, p.OutputMultiplier, p.OutputShift) + p.OutputOffset
	return min(max(r, p.ActMin), p.ActMax)
}

// AddQuant computes quantized ADD with broadcasting. A flat ADD of
// inputs of the output's shape is shared by pool's workers (s holds the
// call; both may be nil).
func AddQuant[T int8like](p *AddParams, bc *Broadcast4, a, b, out []T, s *Scratch, pool *Pool) {
	if bc.Flat && p.Input1Multiplier > 0 && p.Input2Multiplier > 0 && p.OutputMultiplier > 0 {
		units := (len(out) + addUnit - 1) / addUnit
		if pool.Workers() == 1 || units < 2 {
			addFlat(p, a, b, out)
			return
		}
		j := scratchOrNew(s).start(addFlatJob)
		var zero T
		j.add, j.addSigned = p, ^zero < 0
		j.addA, j.addB, j.addOut = bytesOf(a[:len(out)]), bytesOf(b[:len(out)]), bytesOf(out)
		pool.run(j, units)
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = T(p.add(int32(a[ia]), int32(b[ib]))) })
}

// addUnit is the elements of one share of a threaded flat ADD: a
// multiple of the SIMD widths, large enough to pay for the claim.
const addUnit = 4096

func addFlatJob(j *kernelJob, _, lo, hi int) {
	from, to := lo*addUnit, min(hi*addUnit, len(j.addOut))
	a, b, out := j.addA[from:to], j.addB[from:to], j.addOut[from:to]
	if j.addSigned {
		addFlat(j.add, int8View(a), int8View(b), int8View(out))
	} else {
		addFlat(j.add, a, b, out)
	}
}

// AddFloat32 computes ADD in float32 with broadcasting and a clamp.
func AddFloat32(bc *Broadcast4, a, b, out []float32, lo, hi float32) {
	if bc.Flat {
		for i := range out {
			out[i] = min(max(a[i]+b[i], lo), hi)
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = min(max(a[ia]+b[ib], lo), hi) })
}

// MulParams are the parameters of quantized MUL.
type MulParams struct {
	Input1Offset, Input2Offset, OutputOffset int32
	Multiplier                               int32
	Shift                                    int
	ActMin, ActMax                           int32
}

// PrepareMul computes the rescaling of 8-bit MUL as TFLite's mul.cc does
// (the real multiplier s1·s2/so is computed in float32).
func PrepareMul(s1 float32, zp1 int32, s2 float32, zp2 int32, so float32, zpo int32) MulParams {
	p := MulParams{Input1Offset: -zp1, Input2Offset: -zp2, OutputOffset: zpo}
	p.Multiplier, p.Shift = QuantizeMultiplier(float64(s1 * s2 / so))
	return p
}

func (p *MulParams) mul(a, b int32) int32 {
	r := p.OutputOffset + MultiplyByQuantizedMultiplier((p.Input1Offset+a)*(p.Input2Offset+b), p.Multiplier, p.Shift)
	return min(max(r, p.ActMin), p.ActMax)
}

// MulQuant computes quantized MUL with broadcasting.
func MulQuant[T int8like](p *MulParams, bc *Broadcast4, a, b, out []T) {
	if bc.Flat {
		for i := range out {
			out[i] = T(p.mul(int32(a[i]), int32(b[i])))
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = T(p.mul(int32(a[ia]), int32(b[ib]))) })
}

// MulFloat32 computes MUL in float32 with broadcasting and a clamp.
func MulFloat32(bc *Broadcast4, a, b, out []float32, lo, hi float32) {
	if bc.Flat {
		for i := range out {
			out[i] = min(max(a[i]*b[i], lo), hi)
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = min(max(a[ia]*b[ib], lo), hi) })
}
