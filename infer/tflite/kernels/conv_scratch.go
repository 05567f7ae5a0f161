package kernels

// Scratch is the working memory of the heavy kernels: per-worker im2col
// panels and accumulators, a filter packed on the fly for calls that were
// not given a pre-packed one, and the job record a Pool hands to its
// workers. Plan it at prepare time with NewScratch(max of the
// ConvScratchSize/DepthwiseScratchSize/FullyConnectedScratchSize of the
// ops that share it); a call whose need exceeds the plan grows it once
// (allocating), so later calls allocate nothing. A nil *Scratch is allowed
// and allocates a temporary one per call. One Scratch must not be used by
// two calls at the same time.
type Scratch struct {
	job kernelJob
	i8  []int8    // im2col panels, per worker
	i32 []int32   // accumulators, per worker
	f32 []float32 // float im2col panels and accumulators, per worker
	pf  PackedFilter
}

// NewScratch returns a Scratch with room for bytes bytes of working memory,
// as returned by the ...ScratchSize functions.
func NewScratch(bytes int) *Scratch {
	s := &Scratch{}
	s.i8 = make([]int8, bytes/3)
	s.i32 = make([]int32, bytes/3/4)
	s.f32 = make([]float32, bytes/3/4)
	return s
}

// kernelJob is one kernel call as the Pool hands it to its workers: fn is
// a package-level function (never a closure, so setting it allocates
// nothing) that computes rows [lo, hi) as worker w.
type kernelJob struct {
	fn func(j *kernelJob, w, lo, hi int)
	s  *Scratch
	p  *ConvParams
	q  *QuantParams

	inI8, filterI8, outI8 []int8
	inU8, filterU8, outU8 []uint8
	inF, filterF, outF    []float32
	bias                  []int32
	biasF                 []float32
	actMin, actMax        float32
	inDepth, outDepth     int
	pf                    *PackedFilter
}

// PackedFilter is a filter rearranged for the fast kernels, computed once
// at prepare time by the Pack functions.
type PackedFilter struct{}

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
