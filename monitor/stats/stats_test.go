package stats

import (
	"math"
	"slices"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestPSI(t *testing.T) {
	tests := []struct {
		name   string
		ref    []float64
		counts []int32
		want   float64
	}{
		// 0.25·ln(0.75/0.5) + (−0.25)·ln(0.25/0.5)
		{"two bins", []float64{0.5, 0.5}, []int32{3, 1}, 0.25*math.Log(1.5) + 0.25*math.Log(2)},
		{"identical", []float64{0.2, 0.3, 0.5}, []int32{2, 3, 5}, 0},
		// empty window bin floored at 1e-4: (1e-4−0.5)·ln(1e-4/0.5) + (1−0.5)·ln(1/0.5)
		{"empty bin", []float64{0.5, 0.5}, []int32{0, 4}, (1e-4-0.5)*math.Log(1e-4/0.5) + 0.5*math.Log(2)},
		{"no window", []float64{0.5, 0.5}, []int32{0, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, c := range tt.counts {
				n += int(c)
			}
			if got := PSI(tt.ref, tt.counts, n); !near(got, tt.want, 1e-12) {
				t.Errorf("PSI(%v, %v) = %v; want %v", tt.ref, tt.counts, got, tt.want)
			}
		})
	}
}

func TestChiSquare(t *testing.T) {
	tests := []struct {
		name     string
		ref      []float64
		counts   []int32
		wantStat float64
		wantDF   int
	}{
		{"two bins", []float64{0.5, 0.5}, []int32{3, 1}, 1, 1},                               // (1² + 1²)/2
		{"three bins", []float64{0.2, 0.3, 0.5}, []int32{4, 2, 4}, 4.0/2 + 1.0/3 + 1.0/5, 2}, // E = 2, 3, 5
		{"unseen class", []float64{1, 0}, []int32{1, 1}, 0.5 + (1-2e-4)*(1-2e-4)/2e-4, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, c := range tt.counts {
				n += int(c)
			}
			stat, df := ChiSquare(tt.ref, tt.counts, n)
			if !near(stat, tt.wantStat, 1e-9) || df != tt.wantDF {
				t.Errorf("ChiSquare(%v, %v) = %v, %d; want %v, %d", tt.ref, tt.counts, stat, df, tt.wantStat, tt.wantDF)
			}
		})
	}
}

func TestChiSquareP(t *testing.T) {
	tests := []struct {
		stat float64
		df   int
		want float64
	}{
		{3.841458820694124, 1, 0.05}, // the textbook 5 % critical values
		{11.070497693516351, 5, 0.05},
		{6.634896601021214, 1, 0.01},
		{4, 2, math.Exp(-2)}, // df 2: Q(1, x/2) = e^{−x/2}
		{40, 2, math.Exp(-20)},
		{0, 3, 1},
		{1, 0, 1},
		// df 10: Q(5, x/2) = e^{−x/2} Σ_{k<5} (x/2)^k / k!
		{0.5, 10, math.Exp(-0.25) * (1 + 0.25 + 0.25*0.25/2 + 0.25*0.25*0.25/6 + 0.25*0.25*0.25*0.25/24)},
	}
	for _, tt := range tests {
		if got := ChiSquareP(tt.stat, tt.df); !near(got, tt.want, 1e-6*max(tt.want, 1e-3)) {
			t.Errorf("ChiSquareP(%v, %d) = %v; want %v", tt.stat, tt.df, got, tt.want)
		}
	}
}

func TestKS(t *testing.T) {
	// CDFs: reference .25 .5 1, window .5 .5 1 → 0.25.
	if got := KS([]float64{0.25, 0.25, 0.5}, []int32{2, 0, 2}, 4); !near(got, 0.25, 1e-12) {
		t.Errorf("KS = %v; want 0.25", got)
	}
	if got := KS([]float64{0, 1}, []int32{5, 0}, 5); !near(got, 1, 1e-12) {
		t.Errorf("KS disjoint = %v; want 1", got)
	}
	// Kolmogorov's 5 % point: λ = 1.358 gives p ≈ 0.05 for large samples.
	n := 1000000
	d := 1.3581 / math.Sqrt(float64(n)/2)
	if got := KSP(d, n, n); !near(got, 0.05, 5e-4) {
		t.Errorf("KSP(%v, %d, %d) = %v; want 0.05", d, n, n, got)
	}
	if got := KSP(0, 10, 10); got != 1 {
		t.Errorf("KSP(0) = %v; want 1", got)
	}
}

func TestQuantileEdgesAndBin(t *testing.T) {
	tests := []struct {
		name   string
		sorted []float64
		bins   int
		want   []float64
	}{
		{"ten values four bins", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4, []float64{3, 6, 8}},
		{"ties merge", []float64{1, 1, 1, 1, 2, 2, 3, 4}, 4, []float64{2, 3}},
		{"constant", []float64{5, 5, 5, 5}, 4, nil},
		{"empty", nil, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QuantileEdges(tt.sorted, tt.bins, make([]float64, 0, tt.bins))
			if !slices.Equal(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
				t.Errorf("QuantileEdges(%v, %d) = %v; want %v", tt.sorted, tt.bins, got, tt.want)
			}
		})
	}
	edges := []float64{3, 6, 8}
	for _, c := range []struct {
		x    float64
		want int
	}{{2, 0}, {3, 1}, {5.9, 1}, {6, 2}, {8, 3}, {100, 3}, {math.Inf(-1), 0}, {math.NaN(), 0}} {
		if got := Bin(edges, c.x); got != c.want {
			t.Errorf("Bin(%v, %v) = %d; want %d", edges, c.x, got, c.want)
		}
	}
	for _, c := range []struct {
		x    float64
		want int
	}{{-1, 0}, {0, 0}, {0.0999, 0}, {0.1, 1}, {0.55, 5}, {1, 9}, {7, 9}, {math.NaN(), 0}} {
		if got := UniformBin(c.x, 0, 1, 10); got != c.want {
			t.Errorf("UniformBin(%v) = %d; want %d", c.x, got, c.want)
		}
	}
	if got := Probabilities([]int32{1, 3, 0}, make([]float64, 3)); !slices.Equal(got, []float64{0.25, 0.75, 0}) {
		t.Errorf("Probabilities = %v", got)
	}
}

func TestNoAllocations(t *testing.T) {
	ref := []float64{0.1, 0.2, 0.3, 0.4}
	counts := []int32{1, 2, 3, 4}
	edges := []float64{1, 2, 3}
	var sink float64
	if n := testing.AllocsPerRun(100, func() {
		sink += PSI(ref, counts, 10) + KS(ref, counts, 10)
		s, df := ChiSquare(ref, counts, 10)
		sink += ChiSquareP(s, df) + float64(Bin(edges, 2.5))
	}); n != 0 {
		t.Errorf("allocations per run = %v; want 0", n)
	}
	_ = sink
}
