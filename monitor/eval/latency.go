package eval

import (
	"slices"
	"time"
)

// LatencyBins is the number of histogram bars of the latency distribution.
const LatencyBins = 20

// Latency summarises per-image model time in milliseconds.
type Latency struct {
	N      int     `json:"n"`
	MeanMS float64 `json:"mean_ms"`
	MinMS  float64 `json:"min_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	// Histogram has LatencyBins equal-width bars from MinMS to MaxMS.
	Histogram []HistBin `json:"histogram"`
}

// HistBin is one histogram bar: Count values in [Lo, Hi) (the last bar
// also takes Hi).
type HistBin struct {
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Count int     `json:"count"`
}

// latency computes the distribution of the classified samples' latencies.
// Percentiles are nearest-rank: the smallest value with at least p % of
// the values at or below it.
func latency(samples []Sample) Latency {
	ms := make([]float64, 0, len(samples))
	for i := range samples {
		if samples[i].ok() {
			ms = append(ms, float64(samples[i].Latency)/float64(time.Millisecond))
		}
	}
	if len(ms) == 0 {
		return Latency{}
	}
	slices.Sort(ms)
	var sum float64
	for _, v := range ms {
		sum += v
	}
	l := Latency{
		N: len(ms), MeanMS: sum / float64(len(ms)),
		MinMS: ms[0], MaxMS: ms[len(ms)-1],
		P50MS: nearestRank(ms, 50), P90MS: nearestRank(ms, 90), P99MS: nearestRank(ms, 99),
	}
	l.Histogram = histogram(ms, l.MinMS, l.MaxMS, LatencyBins)
	return l
}

// nearestRank is the p-th percentile of sorted values by the nearest-rank
// method: the value at rank ⌈p/100·n⌉.
func nearestRank(sorted []float64, p float64) float64 {
	n := len(sorted)
	r := int(p / 100 * float64(n))
	if float64(r) < p/100*float64(n) {
		r++
	}
	return sorted[min(max(r, 1), n)-1]
}

// histogram counts values into n equal-width bars over [lo, hi].
func histogram(values []float64, lo, hi float64, n int) []HistBin {
	if hi <= lo {
		hi = lo + 1
	}
	w := (hi - lo) / float64(n)
	h := make([]HistBin, n)
	for i := range h {
		h[i].Lo = lo + float64(i)*w
		h[i].Hi = lo + float64(i+1)*w
	}
	h[n-1].Hi = hi
	for _, v := range values {
		b := int((v - lo) / w)
		h[min(max(b, 0), n-1)].Count++
	}
	return h
}
