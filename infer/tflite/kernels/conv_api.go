package kernels

// ConvScratchSize returns the bytes of Scratch a CONV_2D with parameters p
// over elements of elemSize bytes (1 for int8/uint8, 4 for float32) needs
// when run by workers goroutines.
func ConvScratchSize(p *ConvParams, elemSize, workers int) int {
	return 0
}

// ConvFloat32 computes a float32 CONV_2D (see ConvParams for layouts):
// out = clamp(Σ in·filter + bias, actMin, actMax). bias may be nil.
func ConvFloat32(p *ConvParams, in, filter, bias, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(convRowsFloat32)
	j.p, j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax = p, in, filter, bias, out, actMin, actMax
	pool.run(j, p.N*p.OutH)
}

func convRowsFloat32(j *kernelJob, _, lo, hi int) {
	convRefFloat32(j.p, j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax, lo, hi)
}

// ConvUint8 computes a uint8 CONV_2D with per-tensor quantization
// (see QuantParams for the arithmetic). bias may be nil.
func ConvUint8(p *ConvParams, in, filter []uint8, bias []int32, out []uint8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(convRowsUint8)
	j.p, j.q, j.inU8, j.filterU8, j.bias, j.outU8 = p, q, in, filter, bias, out
	pool.run(j, p.N*p.OutH)
}

func convRowsUint8(j *kernelJob, _, lo, hi int) {
	convRefQuant(j.p, j.inU8, j.filterU8, j.bias, j.outU8, j.q, lo, hi)
}

// ConvInt8 computes an int8 CONV_2D, per-tensor or per-channel (see
// QuantParams for the arithmetic). bias may be nil.
func ConvInt8(p *ConvParams, in, filter []int8, bias []int32, out []int8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(convRowsInt8)
	j.p, j.q, j.inI8, j.filterI8, j.bias, j.outI8 = p, q, in, filter, bias, out
	pool.run(j, p.N*p.OutH)
}

func convRowsInt8(j *kernelJob, _, lo, hi int) {
	convRefQuant(j.p, j.inI8, j.filterI8, j.bias, j.outI8, j.q, lo, hi)
}
