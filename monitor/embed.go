package monitor

import (
	"math"
	"math/rand/v2"
)

// maxProjected is the number of dimensions the embedding test works in:
// tensors with more elements are reduced by a fixed random projection
// (Johnson–Lindenstrauss: random ±1/√d directions keep mean shifts
// visible), smaller ones are used as they are.
const maxProjected = 32

// projectionSeed is the fixed seed of the random projection, so that a
// profile learned on one device is valid on another.
const projectionSeed = 0x0fea

// embedPart is the embedding drift of one camera: the RMS over projected
// dimensions of the standardised shift of the window mean from the
// reference mean,
//
//	score = √( (1/P) Σⱼ ((μ_win,j − μ_ref,j) / σ_ref,j)² )
//
// with σ_ref,j floored at 5 % of the mean σ_ref (dead dimensions).
type embedPart struct {
	tensor string
	dims   int       // input elements; 0 until the first embedding
	proj   []float32 // P×dims, nil when dims ≤ maxProjected
	p      int       // projected dimensions
	buf    [maxProjected]float64
	ref    *EmbeddingRef
	sigma  []float64 // floored reference std
	ring   []float32 // window×p
	sum    []float64 // window sums per dimension
	pos, n int
	window int
	since  int // pushes since the sums were recomputed
	alarm  alarm

	warmN          int
	warmSum, warm2 []float64
}

func newEmbedPart(c *Config) *embedPart {
	return &embedPart{tensor: c.Embedding, window: c.Window,
		alarm: newAlarm(KindDrift, "embedding", c.Thresholds.Embedding, c.Persist)}
}

// init sizes the part for tensors of dims elements (allocates; once).
func (e *embedPart) init(dims int) {
	e.dims = dims
	e.p = min(dims, maxProjected)
	e.proj = nil
	if dims > maxProjected {
		rng := rand.New(rand.NewPCG(projectionSeed, uint64(dims)))
		e.proj = make([]float32, e.p*dims)
		s := float32(1 / math.Sqrt(float64(dims)))
		for i := range e.proj {
			if rng.Uint64()&1 == 0 {
				e.proj[i] = s
			} else {
				e.proj[i] = -s
			}
		}
	}
	e.ring = make([]float32, e.window*e.p)
	e.sum = make([]float64, e.p)
	e.warmSum, e.warm2 = make([]float64, e.p), make([]float64, e.p)
	e.pos, e.n, e.warmN, e.ref = 0, 0, 0, nil
	e.alarm.reset()
}

// project reduces v to e.buf[:e.p].
func (e *embedPart) project(v []float32) []float64 {
	out := e.buf[:e.p]
	if e.proj == nil {
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	for j := range out {
		row := e.proj[j*e.dims : (j+1)*e.dims]
		var s float32
		for i, x := range v {
			s += row[i] * x
		}
		out[j] = float64(s)
	}
	return out
}

func (e *embedPart) setRef(ref *EmbeddingRef) {
	e.ref = ref
	e.sigma = make([]float64, len(ref.Std))
	mean := 0.0
	for _, s := range ref.Std {
		mean += s
	}
	mean /= float64(len(ref.Std))
	for i, s := range ref.Std {
		e.sigma[i] = max(s, 0.05*mean, 1e-9)
	}
	clear(e.ring)
	clear(e.sum)
	e.pos, e.n, e.since = 0, 0, 0
	e.alarm.reset()
}

func (e *embedPart) learn() *EmbeddingRef {
	n := float64(e.warmN)
	ref := &EmbeddingRef{Tensor: e.tensor, Dims: e.dims, Mean: make([]float64, e.p), Std: make([]float64, e.p)}
	if e.proj != nil {
		ref.Seed = projectionSeed
	}
	for j := range e.p {
		m := e.warmSum[j] / n
		ref.Mean[j] = m
		ref.Std[j] = math.Sqrt(max(e.warm2[j]/n-m*m, 0))
	}
	return ref
}

// observe adds one embedding; it reports whether the alarm changed.
func (e *embedPart) observe(v []float32) bool {
	if len(v) != e.dims {
		ref := e.ref
		if ref != nil && len(v) != ref.Dims {
			return false // a tensor of another size: not comparable
		}
		e.init(len(v))
		if ref != nil {
			e.setRef(ref)
		}
	}
	x := e.project(v)
	if e.ref == nil {
		for j, y := range x {
			e.warmSum[j] += y
			e.warm2[j] += y * y
		}
		e.warmN++
		return false
	}
	slot := e.ring[e.pos*e.p : (e.pos+1)*e.p]
	for j, y := range x {
		e.sum[j] += y - float64(slot[j])
		slot[j] = float32(y)
	}
	e.pos = (e.pos + 1) % e.window
	e.n = min(e.n+1, e.window)
	if e.since++; e.since >= e.window {
		e.resum() // running sums lose precision; recompute once a window
	}
	if e.n < e.window {
		return false
	}
	return e.alarm.update(e.score())
}

func (e *embedPart) resum() {
	clear(e.sum)
	for i := range e.window {
		for j := range e.p {
			e.sum[j] += float64(e.ring[i*e.p+j])
		}
	}
	e.since = 0
}

func (e *embedPart) score() float64 {
	s := 0.0
	inv := 1 / float64(e.n)
	for j := range e.p {
		z := (e.sum[j]*inv - e.ref.Mean[j]) / e.sigma[j]
		s += z * z
	}
	return math.Sqrt(s / float64(e.p))
}

func (e *embedPart) evidence() map[string]float64 {
	return map[string]float64{"score": e.alarm.score, "rms_standardized_shift": e.alarm.score,
		"dims": float64(e.dims), "projected": float64(e.p)}
}
