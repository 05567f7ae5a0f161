package kernels

// A FULLY_CONNECTED is a 1x1 CONV_2D over a batches x 1 image of inDepth
// channels, and runs on the same packed GEMM. Its weights [outDepth,
// inDepth] are already the OHWI layout with KH = KW = 1, so PackConvInt8,
// PackConvUint8 and PackConvFloat32 pack them (k = inDepth).

// fcParams returns the CONV_2D equivalent of a FULLY_CONNECTED.
func fcParams(batches, inDepth, outDepth int) ConvParams {
	return ConvParams{N: 1, InH: batches, InW: 1, InC: inDepth, OutH: batches, OutW: 1, OutC: outDepth,
		KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilationH: 1, DilationW: 1, DepthMultiplier: 1}
}

// FullyConnectedScratchSize returns the bytes of Scratch a FULLY_CONNECTED
// over elements of elemSize bytes needs when run by workers goroutines.
func FullyConnectedScratchSize(batches, inDepth, outDepth, elemSize, workers int) int {
	p := fcParams(batches, inDepth, outDepth)
	return ConvScratchSize(&p, elemSize, workers)
}

// FullyConnectedFloat32 computes out[b, o] = clamp(Σ_i in[b, i]·weights[o,
// i] + bias[o], actMin, actMax); weights is [outDepth, inDepth], bias may be
// nil. It packs the weights into s on every call; the interpreter should
// pack once with PackConvFloat32 and call FullyConnectedFloat32Packed.
func FullyConnectedFloat32(batches, inDepth, outDepth int, in, weights, bias, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packFloat(&s.pf, outDepth, inDepth, weights, bias)
	FullyConnectedFloat32Packed(batches, in, &s.pf, out, actMin, actMax, s, pool)
}

// FullyConnectedFloat32Packed computes a float32 FULLY_CONNECTED with
// weights packed by PackConvFloat32(outDepth, inDepth, ...).
func FullyConnectedFloat32Packed(batches int, in []float32, pf *PackedFilter, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	s.fcp = fcParams(batches, pf.k, pf.outC)
	ConvFloat32Packed(&s.fcp, in, pf, out, actMin, actMax, s, pool)
}

// FullyConnectedUint8 computes a uint8 FULLY_CONNECTED: out[b, o] =
// requantized Σ_i (in[b, i] + InputOffset)·(weights[o, i] + FilterOffset) +
// bias[o] (see QuantParams). bias may be nil. It packs the weights into s
// on every call; the interpreter should pack once with PackConvUint8 and
// call FullyConnectedUint8Packed.
func FullyConnectedUint8(batches, inDepth, outDepth int, in, weights []uint8, bias []int32, out []uint8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packQuant(&s.pf, outDepth, inDepth, weights, bias, q, 0x80)
	s.pf.filterU8, s.pf.filterI8 = weights, nil
	FullyConnectedUint8Packed(batches, in, &s.pf, out, s, pool)
}

// FullyConnectedUint8Packed computes a uint8 FULLY_CONNECTED with weights
// packed by PackConvUint8(outDepth, inDepth, ...).
func FullyConnectedUint8Packed(batches int, in []uint8, pf *PackedFilter, out []uint8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	s.fcp = fcParams(batches, pf.k, pf.outC)
	ConvUint8Packed(&s.fcp, in, pf, out, s, pool)
}

// FullyConnectedInt8 computes an int8 FULLY_CONNECTED, per-tensor or
// per-channel (see QuantParams). bias may be nil. See FullyConnectedUint8
// for packing.
func FullyConnectedInt8(batches, inDepth, outDepth int, in, weights []int8, bias []int32, out []int8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packQuant(&s.pf, outDepth, inDepth, weights, bias, q, 0)
	s.pf.filterI8, s.pf.filterU8 = weights, nil
	FullyConnectedInt8Packed(batches, in, &s.pf, out, s, pool)
}

// FullyConnectedInt8Packed computes an int8 FULLY_CONNECTED with weights
// packed by PackConvInt8(outDepth, inDepth, ...).
func FullyConnectedInt8Packed(batches int, in []int8, pf *PackedFilter, out []int8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	s.fcp = fcParams(batches, pf.k, pf.outC)
	ConvInt8Packed(&s.fcp, in, pf, out, s, pool)
}
