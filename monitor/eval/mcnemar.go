package eval

import "math"

// ExactBelow is the number of discordant pairs under which McNemar uses
// the exact binomial test rather than the chi-square approximation.
const ExactBelow = 25

// McNemar is McNemar's test of two classifiers on the same images.
type McNemar struct {
	// B counts images model A classified correctly and model B did not;
	// C the other way round. Images both got right or both got wrong say
	// nothing about which model is better.
	B int `json:"b"`
	C int `json:"c"`
	// Method is "exact" (two-sided binomial, B+C < ExactBelow) or
	// "chi2_cc" (chi-square, one degree of freedom, with Edwards'
	// continuity correction).
	Method string `json:"method"`
	// Statistic is min(B, C) for the exact test, else
	// (|B−C|−1)² / (B+C).
	Statistic float64 `json:"statistic"`
	// PValue is the two-sided p-value of "both models are equally
	// accurate" (1 when B = C = 0).
	PValue float64 `json:"p_value"`
}

// NewMcNemar runs the test on the discordant counts b and c.
func NewMcNemar(b, c int) McNemar {
	m := McNemar{B: b, C: c}
	n := b + c
	if n < ExactBelow {
		m.Method = "exact"
		k := min(b, c)
		m.Statistic = float64(k)
		m.PValue = min(1, 2*binomCDFHalf(k, n))
		return m
	}
	m.Method = "chi2_cc"
	d := math.Abs(float64(b-c)) - 1
	if d < 0 {
		d = 0
	}
	m.Statistic = d * d / float64(n)
	m.PValue = chi2SF1(m.Statistic)
	return m
}

// binomCDFHalf is P(X ≤ k) for X ~ Binomial(n, ½).
func binomCDFHalf(k, n int) float64 {
	if n == 0 {
		return 1
	}
	var sum float64
	lnHalfN := float64(n) * math.Log(0.5)
	for i := 0; i <= k; i++ {
		sum += math.Exp(lnChoose(n, i) + lnHalfN)
	}
	return min(sum, 1)
}

// lnChoose is ln C(n, k).
func lnChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

// chi2SF1 is the survival function of the chi-square distribution with one
// degree of freedom: P(χ² > x) = erfc(√(x/2)).
func chi2SF1(x float64) float64 {
	if x <= 0 {
		return 1
	}
	return math.Erfc(math.Sqrt(x / 2))
}
