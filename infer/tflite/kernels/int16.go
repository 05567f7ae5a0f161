package kernels

import "math"

// Kernels of 16x8 models: int16 activations (symmetric, zero point 0),
// int8 weights and int64 biases, as TFLite's reference integer kernels
// compute them (TFLite's built-in CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED run the reference kernels for int16 inputs).

// MultiplyByQuantizedMultiplier64 is TFLite's MultiplyByQuantizedMultiplier
// for an int64 accumulator: the Q31 multiplier is first reduced to Q15
// (rounded, 0x7FFF when it would overflow), then x·m15 is shifted right
// by 15−shift with rounding half up.
func MultiplyByQuantizedMultiplier64(x int64, m int32, shift int) int32 {
	reduced := int64(0x7FFF)
	if m < 0x7FFF0000 {
		reduced = (int64(m) + 1<<15) >> 16
	}
	total := uint(15 - shift)
	r := (x*reduced + int64(1)<<(total-1)) >> total
	return int32(min(max(r, math.MinInt32), math.MaxInt32))
}

// Quant16Params are the requantization parameters of a 16x8 convolution
// or fully connected layer: one multiplier (per tensor) or one per output
// channel.
type Quant16Params struct {
	Multiplier     []int32
	Shift          []int
	OutputOffset   int32
	ActMin, ActMax int32
	// Acc32 is TFLite's optimized (ruy) path, taken without an int64
	// bias: an int32 accumulator (wrapping) requantized half up as the
	// int8 kernels are.
	Acc32 bool
}

func (q *Quant16Params) out(acc int64, c int) int16 {
	if len(q.Multiplier) == 1 {
		c = 0
	}
	var r int32
	if q.Acc32 {
		r = MultiplyByQuantizedMultiplierHalfUp(int32(acc), q.Multiplier[c], q.Shift[c])
	} else {
		r = MultiplyByQuantizedMultiplier64(acc, q.Multiplier[c], q.Shift[c])
	}
	r += q.OutputOffset
	return int16(min(max(r, q.ActMin), q.ActMax))
}

// ConvInt16 computes CONV_2D (filter [OutC, KH, KW, InC]) or, when
// depthwise, DEPTHWISE_CONV_2D (filter [1, KH, KW, OutC]) of an int16
// input with int8 weights, accumulating in int64 as TFLite's reference
// ConvPerChannel / DepthwiseConvPerChannel for 16x8 do. Taps outside the
// input are skipped (the input zero point is 0). bias may be nil. Output
// rows are split across pool's workers; s holds the job record (nil
// allocates one).
func ConvInt16(p *ConvParams, depthwise bool, in []int16, filter []int8, bias []int64, out []int16, q *Quant16Params, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(convRowsInt16)
	j.p, j.depthwise, j.in16, j.filterI8, j.bias64, j.out16, j.q16 = p, depthwise, in, filter, bias, out, q
	pool.run(j, p.N*p.OutH)
}

// convRowsInt16 computes output rows [lo, hi) (row r is image r/OutH,
// row r%OutH) of ConvInt16.
func convRowsInt16(j *kernelJob, _, lo, hi int) {
	p, in, filter, bias, q := j.p, j.in16, j.filterI8, j.bias64, j.q16
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		for ox := 0; ox < p.OutW; ox++ {
			o := j.out16[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for c := range o {
				var acc int64
				for ky := 0; ky < p.KH; ky++ {
					iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
					if iy < 0 || iy >= p.InH {
						continue
					}
					for kx := 0; kx < p.KW; kx++ {
						ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
						if ix < 0 || ix >= p.InW {
							continue
						}
						row := in[((b*p.InH+iy)*p.InW+ix)*p.InC:][:p.InC]
						if j.depthwise {
							acc += int64(row[c/p.DepthMultiplier]) * int64(filter[(ky*p.KW+kx)*p.OutC+c])
							continue
						}
						w := filter[((c*p.KH+ky)*p.KW+kx)*p.InC:][:p.InC]
						for i, v := range row {
							acc += int64(v) * int64(w[i])
						}
					}
				}
				if bias != nil {
					acc += bias[c]
				}
				o[c] = q.out(acc, c)
			}
		}
	}
}

// FullyConnectedInt16 computes FULLY_CONNECTED of an int16 input [batches,
// depth] with int8 weights [units, depth] (weight offset wOff = −zero
// point) into int16 [batches, units], accumulating in int64 as TFLite's
// reference FullyConnected for 16x8 does. bias may be nil. The units are
// split across pool's workers; s holds the job record (nil allocates one).
func FullyConnectedInt16(batches, depth, units int, in []int16, w []int8, wOff int32, bias []int64, out []int16, q *Quant16Params, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(fcUnitsInt16)
	j.fc = fc16Shape{batches: batches, depth: depth, units: units, wOff: wOff}
	j.in16, j.filterI8, j.bias64, j.out16, j.q16 = in, w, bias, out, q
	pool.run(j, units)
}

// fc16Shape is the shape of a FullyConnectedInt16 call.
type fc16Shape struct {
	batches, depth, units int
	wOff                  int32
}

// fcUnitsInt16 computes units [lo, hi) of every batch row.
func fcUnitsInt16(j *kernelJob, _, lo, hi int) {
	f := &j.fc
	for b := 0; b < f.batches; b++ {
		x := j.in16[b*f.depth:][:f.depth]
		for u := lo; u < hi; u++ {
			row := j.filterI8[u*f.depth:][:f.depth]
			var acc int64
			for i, v := range x {
				acc += int64(v) * int64(int32(row[i])+f.wOff)
			}
			if j.bias64 != nil {
				acc += j.bias64[u]
			}
			j.out16[b*f.units+u] = j.q16.out(acc, u)
		}
	}
}

// RequantAny converts between quantizations of any 8- or 16-bit types:
// clamp(MultiplyByQuantizedMultiplier(in − InZP) + OutZP), as TFLite's
// Requantize does for QUANTIZE between integer types.
func RequantAny[I, O quantInt](p *RequantParams, in []I, out []O) {
	lo, hi := Limits[O]()
	for i, v := range in {
		r := MultiplyByQuantizedMultiplier(int32(v)-p.InZP, p.Multiplier, p.Shift) + p.OutZP
		out[i] = O(min(max(r, lo), hi))
	}
}

// PrepareAddInt16 computes the general rescaling of int16 ADD and SUB
// (add.cc and sub.cc when the scales are not all powers of two or
// pot_scale_int16 is false): as for 8 bits, but with a left shift of 15.
func PrepareAddInt16(s1, s2, so float32) AddParams {
	p := AddParams{LeftShift: 15}
	twiceMax := float64(2 * max(s1, s2))
	p.Input1Multiplier, p.Input1Shift = QuantizeMultiplier(float64(s1) / twiceMax)
	p.Input2Multiplier, p.Input2Shift = QuantizeMultiplier(float64(s2) / twiceMax)
	p.OutputMultiplier, p.OutputShift = QuantizeMultiplier(twiceMax / float64(float32(int32(1)<<uint(p.LeftShift))*so))
	return p
}

// AddInt16 computes int16 ADD (or SUB, with Input2Multiplier negated by
// the caller) on the general path, with broadcasting.
func AddInt16(p *AddParams, bc *Broadcast4, a, b, out []int16) {
	if bc.Flat {
		for i := range out {
			out[i] = int16(p.add(int32(a[i]), int32(b[i])))
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = int16(p.add(int32(a[ia]), int32(b[ib]))) })
}

// AddInt16POT is the power-of-two path of int16 ADD (add.cc with
// pot_scale_int16 and every scale a power of two): the input whose scale
// differs from the output's is divided by 2^Shift with rounding (ties away
// from zero), then the two are added with int16 saturation. Shift1 or
// Shift2 (right shifts, ≥ 0) must be 0; a and b have the output's shape.
func AddInt16POT(shift1, shift2 int, a, b, out []int16, actMin, actMax int32) {
	keep, scaled, sh := a, b, shift2
	if shift1 != 0 {
		keep, scaled, sh = b, a, shift1
	}
	for i := range out {
		s := RoundingDivideByPOT(int32(scaled[i]), sh) + int32(keep[i])
		s = min(max(s, math.MinInt16), math.MaxInt16)
		out[i] = int16(min(max(s, actMin), actMax))
	}
}

// MulInt16 computes int16 MUL with broadcasting (TFLite's reference
// integer Mul: the product of the codes rescaled by one multiplier).
func MulInt16(p *MulParams, bc *Broadcast4, a, b, out []int16) {
	if bc.Flat {
		for i := range out {
			out[i] = int16(p.mul(int32(a[i]), int32(b[i])))
		}
		return
	}
	bc.each(func(o, ia, ib int) { out[o] = int16(p.mul(int32(a[ia]), int32(b[ib]))) })
}

// MeanHWInt16 is TFLite's reference integer MEAN over H and W of an NHWC
// int16 tensor [n, h, w, c] (keep_dims): the int32 sum of the codes,
// rescaled by in_scale/out_scale, then divided by h·w rounding half away
// from zero.
func MeanHWInt16(n, h, w, c int, m int32, shift int, in, out []int16) {
	count := int32(h * w)
	if count == 0 {
		clear(out[:n*c])
		return
	}
	for b := 0; b < n; b++ {
		for d := 0; d < c; d++ {
			var acc int32
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					acc += int32(in[((b*h+y)*w+x)*c+d])
				}
			}
			acc = MultiplyByQuantizedMultiplier(acc, m, shift)
			if acc > 0 {
				acc = (acc + count/2) / count
			} else {
				acc = (acc - count/2) / count
			}
			out[b*c+d] = int16(min(max(acc, math.MinInt16), math.MaxInt16))
		}
	}
}

// sigmoidTable16 is sigmoid(i/24) in 0.16 fixed point for i in [0, 256),
// the table of TFLite's int16 LOGISTIC and TANH. TFLite's entries are not
// the rounded samples: each is raised by half the gap between the curve
// and the chord at the middle of its interval, so linear interpolation
// errs both ways. This formula reproduces TFLite's table entry for entry
// (checked against the published table and TFLite-wasm's outputs).
var sigmoidTable16 = func() (t [256]uint32) {
	f := func(x float64) float64 { return 65536 / (1 + math.Exp(-x/24)) }
	for i := range t {
		x := float64(i)
		v := f(x) + (f(x+0.5)-(f(x)+f(x+1))/2)/2
		t[i] = uint32(min(math.Floor(v+0.5), 65535))
	}
	t[255] = 65535 // TFLite's last entry is the saturated value
	return t
}()

// SigmoidInt16Params rescale int16 input codes to the table's fixed point
// (±2^17 ≙ ±10.7): x·Multiplier >> LeftShift, rounded half up.
type SigmoidInt16Params struct {
	Multiplier int32
	LeftShift  int
}

// PrepareSigmoidInt16 computes TFLite's rescaling for a non-power-of-two
// input scale: 3·4096·scale doubled until it exceeds 32767/2, counting the
// doublings.
func PrepareSigmoidInt16(inScale float32) SigmoidInt16Params {
	m := float64(inScale) * 4096 * 3
	shift := 0
	for m <= 32767.0/2 && shift <= 30 {
		shift++
		m *= 2
	}
	return SigmoidInt16Params{Multiplier: int32(m), LeftShift: shift}
}

func (p *SigmoidInt16Params) scale(v int16) int32 {
	var round int64
	if p.LeftShift > 0 {
		round = 1 << uint(p.LeftShift-1)
	}
	return int32((int64(v)*int64(p.Multiplier) + round) >> uint(p.LeftShift))
}

// LogisticInt16 is TFLite's reference int16 LOGISTIC (output scale 2^-15):
// the table interpolated on 9 fractional bits of |x|, mirrored for x < 0.
func LogisticInt16(p *SigmoidInt16Params, in, out []int16) {
	for i, v := range in {
		x := p.scale(v)
		a := uint32(x)
		if x < 0 {
			a = uint32(-x)
		}
		var r uint32
		if uh := a >> 9; uh >= 255 {
			r = 0x7FFF << 10
		} else {
			ua, ub := sigmoidTable16[uh], sigmoidTable16[uh+1]
			r = ua<<9 + (a&0x1ff)*(ub-ua)
		}
		if x >= 0 {
			r += 1 << 9
		} else {
			r = 1<<25 - r + 1<<9 - 1
		}
		out[i] = int16(r >> 10)
	}
}

// TanhInt16 is TFLite's reference int16 TANH (output scale 2^-15):
// tanh(x) = 2·sigmoid(2x) − 1 from the same table, on 8 fractional bits.
func TanhInt16(p *SigmoidInt16Params, in, out []int16) {
	for i, v := range in {
		x := p.scale(v)
		a := uint32(x)
		if x < 0 {
			a = uint32(-x)
		}
		var r int32
		if uh := a >> 8; uh >= 255 {
			r = 0xFFFF << 8
		} else {
			ua, ub := sigmoidTable16[uh], sigmoidTable16[uh+1]
			r = int32(ua<<8 + (a&0xff)*(ub-ua))
		}
		if x >= 0 {
			r = r - 1<<23 + 1<<7
		} else {
			r = -r + 1<<23 + 1<<7 - 1
		}
		out[i] = int16(r >> 8)
	}
}
