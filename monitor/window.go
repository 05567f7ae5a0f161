package monitor

// binRing is a sliding window of bin indices and the count of each bin.
type binRing struct {
	ring   []uint16
	counts []int32
	pos, n int
}

func newBinRing(window, bins int) binRing {
	return binRing{ring: make([]uint16, window), counts: make([]int32, bins)}
}

func (r *binRing) push(b int) {
	if r.n == len(r.ring) {
		r.counts[r.ring[r.pos]]--
	} else {
		r.n++
	}
	r.ring[r.pos] = uint16(b)
	r.counts[b]++
	r.pos++
	if r.pos == len(r.ring) {
		r.pos = 0
	}
}

func (r *binRing) full() bool { return r.n == len(r.ring) }

func (r *binRing) clear() {
	clear(r.counts)
	r.pos, r.n = 0, 0
}

// seqRing remembers the sequence number, top-1 confidence and a value of
// the last results, oldest overwritten first.
type seqRing struct {
	seq    []uint64
	conf   []float32
	pos, n int
}

func newSeqRing(n int) seqRing { return seqRing{seq: make([]uint64, n), conf: make([]float32, n)} }

func (r *seqRing) push(seq uint64, conf float64) {
	r.seq[r.pos], r.conf[r.pos] = seq, float32(conf)
	r.pos++
	if r.pos == len(r.seq) {
		r.pos = 0
	}
	r.n = min(r.n+1, len(r.seq))
}

// window returns the span of the remembered results.
func (r *seqRing) window() Window {
	if r.n == 0 {
		return Window{}
	}
	first := r.pos - r.n
	if first < 0 {
		first += len(r.seq)
	}
	last := r.pos - 1
	if last < 0 {
		last += len(r.seq)
	}
	return Window{FirstSeq: r.seq[first], LastSeq: r.seq[last], Results: r.n}
}

// lowest returns up to k sequence numbers with the lowest confidence,
// lowest first (it allocates; events only).
func (r *seqRing) lowest(k int) []uint64 {
	type sc struct {
		seq  uint64
		conf float32
	}
	best := make([]sc, 0, k+1)
	for i := range r.n {
		j := r.pos - 1 - i
		if j < 0 {
			j += len(r.seq)
		}
		c := sc{r.seq[j], r.conf[j]}
		at := len(best)
		for at > 0 && best[at-1].conf > c.conf {
			at--
		}
		if at >= k {
			continue
		}
		best = append(best, sc{})
		copy(best[at+1:], best[at:])
		best[at] = c
		if len(best) > k {
			best = best[:k]
		}
	}
	out := make([]uint64, len(best))
	for i, b := range best {
		out[i] = b.seq
	}
	return out
}
