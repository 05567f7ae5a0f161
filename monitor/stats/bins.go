package stats

import "math"

// QuantileEdges writes into dst the interior edges that split the sorted
// reference values into bins of (as near as ties allow) equal mass: the
// values at ranks i·len/bins for i = 1…bins−1, without repeats. It returns
// dst[:k] with k ≤ bins−1 edges, which define k+1 bins for Bin.
func QuantileEdges(sorted []float64, bins int, dst []float64) []float64 {
	dst = dst[:0]
	n := len(sorted)
	if n == 0 || bins < 2 {
		return dst
	}
	for i := 1; i < bins; i++ {
		e := sorted[i*n/bins]
		if len(dst) > 0 && e <= dst[len(dst)-1] {
			continue
		}
		if e <= sorted[0] {
			continue // an edge at the minimum would leave an empty first bin
		}
		dst = append(dst, e)
	}
	return dst
}

// Bin returns the bin of x for the sorted interior edges: the number of
// edges ≤ x, so bin 0 is (−∞, edges[0]) and bin len(edges) is
// [edges[last], ∞). NaN goes to bin 0.
func Bin(edges []float64, x float64) int {
	lo, hi := 0, len(edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if edges[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// UniformBin returns the bin of x among n equal bins on [lo, hi]; values
// outside are clamped into the first or last bin, NaN goes to bin 0.
func UniformBin(x, lo, hi float64, n int) int {
	if math.IsNaN(x) || x <= lo {
		return 0
	}
	b := int((x - lo) / (hi - lo) * float64(n))
	return min(b, n-1)
}

// Probabilities writes counts/total into dst (len(counts)) and returns it.
func Probabilities(counts []int32, dst []float64) []float64 {
	var n int64
	for _, c := range counts {
		n += int64(c)
	}
	dst = dst[:len(counts)]
	for i, c := range counts {
		if n == 0 {
			dst[i] = 0
			continue
		}
		dst[i] = float64(c) / float64(n)
	}
	return dst
}
