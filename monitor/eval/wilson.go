package eval

import "math"

// z95 is the two-sided 95 % quantile of the standard normal distribution.
const z95 = 1.959963984540054

// Interval is a two-sided confidence interval for a proportion.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Wilson returns the Wilson score interval for k successes in n trials at
// the normal quantile z (1.96 for 95 %). Unlike the normal approximation
// it stays inside [0, 1] and is sensible for k = 0 or k = n. With n = 0 it
// is [0, 1]: nothing is known.
func Wilson(k, n int, z float64) Interval {
	if n <= 0 {
		return Interval{0, 1}
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return Interval{Low: max(0, center-half), High: min(1, center+half)}
}

// Proportion is k of n with its Wilson 95 % interval.
type Proportion struct {
	Correct  int     `json:"correct"`
	N        int     `json:"n"`
	Value    float64 `json:"value"`
	CI95Low  float64 `json:"ci95_low"`
	CI95High float64 `json:"ci95_high"`
}

// NewProportion computes k/n (0 when n = 0) and its Wilson 95 % interval.
func NewProportion(k, n int) Proportion {
	ci := Wilson(k, n, z95)
	p := Proportion{Correct: k, N: n, CI95Low: ci.Low, CI95High: ci.High}
	if n > 0 {
		p.Value = float64(k) / float64(n)
	}
	return p
}
