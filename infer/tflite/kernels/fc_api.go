package kernels

// FullyConnectedScratchSize returns the bytes of Scratch a FULLY_CONNECTED
// needs when run by workers goroutines.
func FullyConnectedScratchSize(batches, inDepth, outDepth, elemSize, workers int) int {
	return 0
}

// FullyConnectedFloat32 computes out[b, o] = clamp(Σ_i in[b, i]·weights[o,
// i] + bias[o], actMin, actMax); weights is [outDepth, inDepth], bias may be
// nil.
func FullyConnectedFloat32(batches, inDepth, outDepth int, in, weights, bias, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(fcRowsFloat32)
	j.inDepth, j.outDepth = inDepth, outDepth
	j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax = in, weights, bias, out, actMin, actMax
	pool.run(j, batches)
}

func fcRowsFloat32(j *kernelJob, _, lo, hi int) {
	fcRefFloat32(j.inDepth, j.outDepth, j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax, lo, hi)
}

// FullyConnectedUint8 computes a uint8 FULLY_CONNECTED: out[b, o] =
// requantized Σ_i (in[b, i] + InputOffset)·(weights[o, i] + FilterOffset) +
// bias[o] (see QuantParams). bias may be nil.
func FullyConnectedUint8(batches, inDepth, outDepth int, in, weights []uint8, bias []int32, out []uint8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(fcRowsUint8)
	j.inDepth, j.outDepth, j.q = inDepth, outDepth, q
	j.inU8, j.filterU8, j.bias, j.outU8 = in, weights, bias, out
	pool.run(j, batches)
}

func fcRowsUint8(j *kernelJob, _, lo, hi int) {
	fcRefQuant(j.inDepth, j.outDepth, j.inU8, j.filterU8, j.bias, j.outU8, j.q, lo, hi)
}

// FullyConnectedInt8 computes an int8 FULLY_CONNECTED, per-tensor or
// per-channel (see QuantParams). bias may be nil.
func FullyConnectedInt8(batches, inDepth, outDepth int, in, weights []int8, bias []int32, out []int8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(fcRowsInt8)
	j.inDepth, j.outDepth, j.q = inDepth, outDepth, q
	j.inI8, j.filterI8, j.bias, j.outI8 = in, weights, bias, out
	pool.run(j, batches)
}

func fcRowsInt8(j *kernelJob, _, lo, hi int) {
	fcRefQuant(j.inDepth, j.outDepth, j.inI8, j.filterI8, j.bias, j.outI8, j.q, lo, hi)
}
