package kernels

// DepthwiseScratchSize returns the bytes of Scratch a DEPTHWISE_CONV_2D
// with parameters p over elements of elemSize bytes needs when run by
// workers goroutines.
func DepthwiseScratchSize(p *ConvParams, elemSize, workers int) int {
	return max(workers, 1) * dwPanel(p.OutC) * 4
}

// DepthwiseFloat32 computes a float32 DEPTHWISE_CONV_2D; filter is
// [1, KH, KW, InC·DepthMultiplier]. bias may be nil. Sums run tap by tap
// per channel, so results may differ from TFLite's in the last bits.
func DepthwiseFloat32(p *ConvParams, in, filter, bias, out []float32, actMin, actMax float32, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	j := s.start(depthwiseRowsFloat32)
	j.p, j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax = p, in, filter, bias, out, actMin, actMax
	if p.DepthMultiplier == 1 {
		j.fn = depthwiseFloatFast
		if dwFloatSIMD(p) {
			j.fn = depthwiseFloatSIMD
		}
		j.panelsF = s.float32Panels(pool.Workers(), p.OutC)
	}
	pool.run(j, p.N*p.OutH)
}

func depthwiseRowsFloat32(j *kernelJob, _, lo, hi int) {
	depthwiseRefFloat32(j.p, j.inF, j.filterF, j.biasF, j.outF, j.actMin, j.actMax, lo, hi)
}

// DepthwiseUint8 computes a uint8 DEPTHWISE_CONV_2D with per-tensor
// quantization. bias may be nil. It prepares the filter in s on every call
// (cheap: KH·KW·OutC values); the interpreter may prepare it once with
// PackDepthwiseUint8 and call DepthwiseUint8Packed.
func DepthwiseUint8(p *ConvParams, in, filter []uint8, bias []int32, out []uint8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packDepthwise(&s.pd, p, filter, bias, q)
	s.pd.filterU8, s.pd.filterI8 = filter, nil
	DepthwiseUint8Packed(p, in, &s.pd, out, s, pool)
}

// DepthwiseUint8Packed computes a uint8 DEPTHWISE_CONV_2D with a filter
// prepared by PackDepthwiseUint8.
func DepthwiseUint8Packed(p *ConvParams, in []uint8, pd *PackedDepthwise, out []uint8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	if !pd.fast {
		j := s.start(depthwiseRowsUint8)
		j.p, j.q, j.inU8, j.filterU8, j.bias, j.outU8 = p, pd.q, in, pd.filterU8, pd.biasIn, out
		pool.run(j, p.N*p.OutH)
		return
	}
	j := s.start(depthwiseFastUint8)
	j.p, j.pd, j.inU8, j.outU8 = p, pd, in, out
	j.panels32 = s.int32Panels(pool.Workers(), dwPanel(p.OutC))
	pool.run(j, p.N*p.OutH)
}

func depthwiseRowsUint8(j *kernelJob, _, lo, hi int) {
	depthwiseRefQuant(j.p, j.inU8, j.filterU8, j.bias, j.outU8, j.q, lo, hi)
}

func depthwiseFastUint8(j *kernelJob, w, lo, hi int) {
	depthwiseQuantFast(j, j.inU8, j.outU8, w, lo, hi)
}

// DepthwiseInt8 computes an int8 DEPTHWISE_CONV_2D, per-tensor or
// per-channel. bias may be nil. See DepthwiseUint8 for packing.
func DepthwiseInt8(p *ConvParams, in, filter []int8, bias []int32, out []int8, q *QuantParams, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	packDepthwise(&s.pd, p, filter, bias, q)
	s.pd.filterI8, s.pd.filterU8 = filter, nil
	DepthwiseInt8Packed(p, in, &s.pd, out, s, pool)
}

// DepthwiseInt8Packed computes an int8 DEPTHWISE_CONV_2D with a filter
// prepared by PackDepthwiseInt8.
func DepthwiseInt8Packed(p *ConvParams, in []int8, pd *PackedDepthwise, out []int8, s *Scratch, pool *Pool) {
	s = scratchOrNew(s)
	if !pd.fast {
		j := s.start(depthwiseRowsInt8)
		j.p, j.q, j.inI8, j.filterI8, j.bias, j.outI8 = p, pd.q, in, pd.filterI8, pd.biasIn, out
		pool.run(j, p.N*p.OutH)
		return
	}
	j := s.start(depthwiseFastInt8)
	j.p, j.pd, j.inI8, j.outI8 = p, pd, in, out
	j.panels32 = s.int32Panels(pool.Workers(), dwPanel(p.OutC))
	pool.run(j, p.N*p.OutH)
}

func depthwiseRowsInt8(j *kernelJob, _, lo, hi int) {
	depthwiseRefQuant(j.p, j.inI8, j.filterI8, j.bias, j.outI8, j.q, lo, hi)
}

func depthwiseFastInt8(j *kernelJob, w, lo, hi int) {
	depthwiseQuantFast(j, j.inI8, j.outI8, w, lo, hi)
}
