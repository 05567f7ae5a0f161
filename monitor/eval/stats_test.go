package eval

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestWilson(t *testing.T) {
	// Expected values from the closed form with z = 1.96, worked by hand
	// (0/10 and 50/100 are the examples of Brown, Cai & DasGupta 2001).
	tests := []struct {
		name      string
		k, n      int
		low, high float64
	}{
		{"none right", 0, 10, 0, 0.277533},
		{"half", 50, 100, 0.403832, 0.596168},
		{"all right", 10, 10, 0.722467, 1},
		{"81 of 100", 81, 100, 0.722212, 0.874852},
		{"244 of 300", 244, 300, 0.765381, 0.853363},
		{"no data", 0, 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wilson(tt.k, tt.n, z95)
			if !near(got.Low, tt.low, 1e-6) || !near(got.High, tt.high, 1e-6) {
				t.Errorf("Wilson(%d, %d) = [%.6f, %.6f]; want [%.6f, %.6f]", tt.k, tt.n, got.Low, got.High, tt.low, tt.high)
			}
		})
	}
}

func TestMcNemar(t *testing.T) {
	tests := []struct {
		name   string
		b, c   int
		method string
		stat   float64
		p      float64
	}{
		// Exact: 2·Σ_{i≤6} C(22,i)/2²² = 2·110056/4194304.
		{"exact 6 vs 16", 6, 16, "exact", 6, 0.0524788},
		// 2·(1+10)/1024.
		{"exact 1 vs 9", 1, 9, "exact", 1, 0.0214844},
		{"exact 9 vs 1 is symmetric", 9, 1, "exact", 1, 0.0214844},
		// 2·P(X≤5; 10, ½) > 1, capped.
		{"exact tie", 5, 5, "exact", 5, 1},
		{"no discordant pairs", 0, 0, "exact", 0, 1},
		// The textbook example (Wikipedia, "McNemar's test"): b = 121,
		// c = 59; with continuity correction (|121−59|−1)²/180 = 20.672,
		// p = erfc(√(20.672/2)).
		{"chi-square textbook", 121, 59, "chi2_cc", 20.672222, 5.4501e-6},
		// (|12−13|−1)² = 0.
		{"chi-square balanced", 12, 13, "chi2_cc", 0, 1},
		// (|20−5|−1)²/25 = 7.84; p = erfc(√3.92) = 0.005110.
		{"chi-square 20 vs 5", 20, 5, "chi2_cc", 7.84, 0.0051098},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewMcNemar(tt.b, tt.c)
			if got.Method != tt.method || !near(got.Statistic, tt.stat, 1e-5) || !near(got.PValue, tt.p, max(1e-7, tt.p*1e-4)) {
				t.Errorf("NewMcNemar(%d, %d) = %+v; want method %s, statistic %.6g, p %.6g", tt.b, tt.c, got, tt.method, tt.stat, tt.p)
			}
		})
	}
}

func TestQuantileAndPercentile(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		// Type 7: h = q·(n−1).
		{"q 1/3", quantileSorted(v, 1.0/3), 4},
		{"q 0.5", quantileSorted(v, 0.5), 5.5},
		{"q 1", quantileSorted(v, 1), 10},
		// Nearest rank: ⌈p·n/100⌉.
		{"p50", nearestRank(v, 50), 5},
		{"p90", nearestRank(v, 90), 9},
		{"p99", nearestRank(v, 99), 10},
		{"p1", nearestRank(v, 1), 1},
		{"p50 of one", nearestRank([]float64{7}, 50), 7},
	}
	for _, tt := range tests {
		if !near(tt.got, tt.want, 1e-12) {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestBinOf(t *testing.T) {
	tests := []struct {
		p    float64
		want int
	}{
		{0, 0}, {0.01, 0}, {1.0 / 15, 0}, {0.07, 1}, {0.5, 7}, {0.9, 13}, {0.95, 14}, {1, 14},
	}
	for _, tt := range tests {
		if got := binOf(tt.p, 15); got != tt.want {
			t.Errorf("binOf(%v, 15) = %d; want %d", tt.p, got, tt.want)
		}
	}
}
