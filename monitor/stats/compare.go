package stats

import "math"

// Floor is the smallest probability a bin is given in PSI and chi-square,
// so that an empty bin on either side contributes a large but finite term
// instead of an infinity (the usual PSI convention).
const Floor = 1e-4

// PSI is the population stability index of a window against a reference:
//
//	PSI = Σᵢ (wᵢ − rᵢ) · ln(wᵢ / rᵢ)
//
// where rᵢ = ref[i] are the reference bin probabilities and wᵢ = counts[i]/n
// the window's, both floored at Floor. It is 0 for identical
// distributions; by the common rule of thumb < 0.1 is stable, 0.1–0.25 a
// moderate shift and > 0.25 a major one. n ≤ 0 gives 0.
func PSI(ref []float64, counts []int32, n int) float64 {
	if n <= 0 {
		return 0
	}
	inv := 1 / float64(n)
	s := 0.0
	for i, r := range ref {
		w := max(float64(counts[i])*inv, Floor)
		r = max(r, Floor)
		s += (w - r) * math.Log(w/r)
	}
	return s
}

// ChiSquare is Pearson's goodness-of-fit statistic of the window counts
// against the reference probabilities, Σᵢ (Oᵢ − Eᵢ)² / Eᵢ with Eᵢ = n·rᵢ,
// over the bins the reference gives a probability of at least Floor
// (observations in other bins count against the nearest-to-empty
// expectation n·Floor). df is the number of bins used minus one.
func ChiSquare(ref []float64, counts []int32, n int) (stat float64, df int) {
	if n <= 0 {
		return 0, 0
	}
	bins := 0
	for i, r := range ref {
		e := float64(n) * max(r, Floor)
		d := float64(counts[i]) - e
		if r >= Floor || counts[i] > 0 {
			stat += d * d / e
			bins++
		}
	}
	return stat, max(bins-1, 0)
}

// ChiSquareP is the upper-tail probability of the chi-square distribution
// with df degrees of freedom at stat: the p-value of ChiSquare. It is 1 for
// df ≤ 0.
func ChiSquareP(stat float64, df int) float64 {
	if df <= 0 || stat <= 0 {
		return 1
	}
	return gammaQ(float64(df)/2, stat/2)
}

// KS is the two-sample Kolmogorov–Smirnov distance computed on bins: the
// largest absolute difference between the reference's and the window's
// cumulative distributions at any bin edge. With fine bins (the monitor
// uses 100 on [0, 1]) it differs from the exact statistic by at most the
// mass of one bin.
func KS(ref []float64, counts []int32, n int) float64 {
	if n <= 0 {
		return 0
	}
	inv := 1 / float64(n)
	var cr, cw, d float64
	for i, r := range ref {
		cr += r
		cw += float64(counts[i]) * inv
		d = max(d, math.Abs(cr-cw))
	}
	return d
}

// KSP is the asymptotic p-value of a two-sample KS distance d between
// samples of sizes n and m (Kolmogorov's series with Stephens' small-sample
// correction).
func KSP(d float64, n, m int) float64 {
	if n <= 0 || m <= 0 || d <= 0 {
		return 1
	}
	ne := float64(n) * float64(m) / float64(n+m)
	sq := math.Sqrt(ne)
	lambda := (sq + 0.12 + 0.11/sq) * d
	p := 0.0
	sign := 1.0
	for k := 1; k <= 100; k++ {
		term := sign * 2 * math.Exp(-2*float64(k*k)*lambda*lambda)
		p += term
		if math.Abs(term) < 1e-12 {
			break
		}
		sign = -sign
	}
	return min(max(p, 0), 1)
}
