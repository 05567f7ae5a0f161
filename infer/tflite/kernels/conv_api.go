package kernels

// ConvScratchSize returns the bytes of Scratch a CONV_2D with parameters p
// over elements of elemSize bytes (1 for int8/uint8, 4 for float32) needs
// when run by workers goroutines.
func ConvScratchSize(p *ConvParams, elemSize, workers int) int {
	if elemSize == 4 && convDirect(p) {
		return 0 // float 1x1: the GEMM reads the input in place
	}
	// uint8 needs its im2col panel even for 1x1 convolutions (it shifts
	// the input to int8 on the way).
	n := max(workers, 1) * convMP * p.KH * p.KW * p.InC * elemSize
	if elemSize == 1 {
		// Enough for any path, so changing paths never grows it.
		n = max(n, simdScratch(p.KH*p.KW*p.InC, max(workers, 1)))
	}
	return n
}

// ConvFloat32 computes a float32 CONV_2D (see ConvParams for layouts):
// out = clamp(Σ in·filter + bias, actMin, actMax). bias may be nil. It
// packs the filter into s on every call; the interpreter should pack once
// with PackConvFloat32 and call ConvFloat32Packed. Sums run in a different
// order than TFLite's, so results may differ in the last bits.
func ConvFloat32(p *ConvParams, in, filter, bias, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packFloat(&s.pf, p.OutC, p.KH*p.KW*p.InC, filter, bias)
	ConvFloat32Packed(p, in, &s.pf, out, actMin, actMax, s, pool)
}

// ConvFloat32Packed computes a float32 CONV_2D with a filter packed by
// PackConvFloat32.
func ConvFloat32Packed(p *ConvParams, in []float32, pf *PackedFilter, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(nil)
	j.inF, j.outF, j.actMin, j.actMax = in, out, actMin, actMax
	pool.run(j, prepareConvFloat(j, p, pf, pool.Workers()))
}

// ConvUint8 computes a uint8 CONV_2D with per-tensor quantization (see
// QuantParams for the arithmetic). bias may be nil. It packs the filter
// into s on every call; the interpreter should pack once with
// PackConvUint8 and call ConvUint8Packed.
func ConvUint8(p *ConvParams, in, filter []uint8, bias []int32, out []uint8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packQuant(&s.pf, p.OutC, p.KH*p.KW*p.InC, filter, bias, q, 0x80)
	s.pf.filterU8, s.pf.filterI8 = filter, nil
	ConvUint8Packed(p, in, &s.pf, out, s, pool)
}

// ConvUint8Packed computes a uint8 CONV_2D with a filter packed by
// PackConvUint8.
func ConvUint8Packed(p *ConvParams, in []uint8, pf *PackedFilter, out []uint8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	if !pf.fast {
		j := s.start(convRowsUint8)
		j.p, j.q, j.inU8, j.filterU8, j.bias, j.outU8 = p, pf.q, in, pf.filterU8, pf.bias, out
		pool.run(j, p.N*p.OutH)
		return
	}
	j := s.start(nil)
	j.inI8, j.outI8 = int8View(in), int8View(out)
	pool.run(j, prepareConvQuant(j, p, pf, pool.Workers()))
}

func convRowsUint8(j *kernelJob, _, lo, hi int) {
	convRefQuant(j.p, j.inU8, j.filterU8, j.bias, j.outU8, j.q, lo, hi)
}

// ConvInt8 computes an int8 CONV_2D, per-tensor or per-channel (see
// QuantParams for the arithmetic). bias may be nil. It packs the filter
// into s on every call; the interpreter should pack once with
// PackConvInt8 and call ConvInt8Packed.
func ConvInt8(p *ConvParams, in, filter []int8, bias []int32, out []int8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packQuant(&s.pf, p.OutC, p.KH*p.KW*p.InC, filter, bias, q, 0)
	s.pf.filterI8, s.pf.filterU8 = filter, nil
	ConvInt8Packed(p, in, &s.pf, out, s, pool)
}

// ConvInt8Packed computes an int8 CONV_2D with a filter packed by
// PackConvInt8.
func ConvInt8Packed(p *ConvParams, in []int8, pf *PackedFilter, out []int8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	if !pf.fast {
		j := s.start(convRowsInt8)
		j.p, j.q, j.inI8, j.filterI8, j.bias, j.outI8 = p, pf.q, in, pf.filterI8, pf.bias, out
		pool.run(j, p.N*p.OutH)
		return
	}
	j := s.start(nil)
	j.inI8, j.outI8 = in, out
	pool.run(j, prepareConvQuant(j, p, pf, pool.Workers()))
}

func convRowsInt8(j *kernelJob, _, lo, hi int) {
	convRefQuant(j.p, j.inI8, j.filterI8, j.bias, j.outI8, j.q, lo, hi)
}
