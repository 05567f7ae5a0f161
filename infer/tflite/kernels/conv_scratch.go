package kernels

import "unsafe"

// Scratch is the working memory of the heavy kernels: per-worker im2col
// panels, a filter packed on the fly for calls that were not given a
// pre-packed one, and the job record a Pool hands to its workers. Plan it
// at prepare time with NewScratch(the largest ConvScratchSize,
// DepthwiseScratchSize or FullyConnectedScratchSize of the ops that share
// it). A call that needs more grows it once (allocating), so later calls
// allocate nothing; so does the first call of a kernel without a
// PackedFilter. A nil *Scratch is allowed and allocates per call. One
// Scratch must not be used by two calls at the same time.
type Scratch struct {
	job   kernelJob
	arena []uint64        // panels, carved per call; uint64 keeps any view aligned
	pf    PackedFilter    // filter packed by calls without a PackedFilter
	pd    PackedDepthwise // depthwise filter packed likewise
	fcp   ConvParams      // the CONV_2D shape of a FULLY_CONNECTED call
}

// NewScratch returns a Scratch with bytes bytes of working memory.
func NewScratch(bytes int) *Scratch {
	return &Scratch{arena: make([]uint64, (bytes+7)/8)}
}

// int8Panels returns workers panels of n int8 each, one after the other.
func (s *Scratch) int8Panels(workers, n int) []int8 {
	total := workers * n
	if total == 0 {
		return nil
	}
	if len(s.arena)*8 < total {
		s.arena = make([]uint64, (total+7)/8)
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&s.arena[0])), total)
}

// int32Panels returns workers panels of n int32 each.
func (s *Scratch) int32Panels(workers, n int) []int32 {
	total := workers * n
	if total == 0 {
		return nil
	}
	if len(s.arena)*2 < total {
		s.arena = make([]uint64, (total+1)/2)
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&s.arena[0])), total)
}

// float32Panels returns workers panels of n float32 each.
func (s *Scratch) float32Panels(workers, n int) []float32 {
	total := workers * n
	if total == 0 {
		return nil
	}
	if len(s.arena)*2 < total {
		s.arena = make([]uint64, (total+1)/2)
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&s.arena[0])), total)
}

// int8View returns b's bytes as int8 values: uint8 tensors run through the
// same integer code as int8 ones (storing a clamped value v in 0..255 as
// int8(v) writes the same byte as uint8(v)).
func int8View(b []uint8) []int8 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), len(b))
}

// kernelJob is one kernel call as the Pool hands it to its workers: fn is
// a package-level function (never a closure, so setting it allocates
// nothing) that computes work units [lo, hi) as worker w.
type kernelJob struct {
	fn func(j *kernelJob, w, lo, hi int)
	s  *Scratch
	p  *ConvParams
	q  *QuantParams
	pf *PackedFilter
	pd *PackedDepthwise

	inI8, filterI8, outI8 []int8
	inU8, filterU8, outU8 []uint8
	inF, filterF, outF    []float32
	bias                  []int32
	biasF                 []float32
	actMin, actMax        float32

	panels8  []int8    // per-worker im2col panels
	panels16 []int16   // per-worker widened rows (SIMD paths)
	panelsF  []float32 // per-worker float im2col panels
	panels32 []int32   // per-worker int32 accumulators
	panelLen int       // elements per worker panel
	split    int       // units per pixel group (channel-block splits)
	direct   bool      // pixel rows are read from the input, no im2col

	// int16 (16x8) and hybrid kernels (int16.go, hybrid.go)
	depthwise      bool
	in16, out16    []int16
	bias64         []int64
	q16            *Quant16Params
	fc             fc16Shape
	in32, zps      []int32
	scales, wScale []float32
	hf             *HybridFilter

	// flat 8-bit ADD (add.go)
	add        *AddParams
	addA, addB []byte
	addOut     []byte
	addSigned  bool
}

// scratchOrNew returns s, or a fresh Scratch when s is nil.
func scratchOrNew(s *Scratch) *Scratch {
	if s == nil {
		return &Scratch{}
	}
	return s
}

// start fills the job record of s for one call and clears what a previous
// call left in it, so no stale slice keeps memory alive.
func (s *Scratch) start(fn func(j *kernelJob, w, lo, hi int)) *kernelJob {
	s.job = kernelJob{fn: fn, s: s}
	return &s.job
}
