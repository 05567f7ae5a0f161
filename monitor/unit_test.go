package monitor

import (
	"math"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

func TestAlarmHysteresis(t *testing.T) {
	tests := []struct {
		name    string
		scores  []float64
		changes []int // indices at which the state flips
	}{
		{"raise after persist", []float64{0.3, 0.3, 0.3, 0.1}, []int{2}},
		{"interrupted streak", []float64{0.3, 0.3, 0.2, 0.3, 0.3, 0.3}, []int{5}},
		// Between clear (0.1) and raise (0.25) nothing changes, either way.
		{"no flapping in the band", []float64{0.3, 0.3, 0.3, 0.2, 0.15, 0.24, 0.11, 0.2, 0.3}, []int{2}},
		{"clear after persist", []float64{0.3, 0.3, 0.3, 0.05, 0.05, 0.2, 0.1, 0.1, 0.1}, []int{2, 8}},
		{"single spikes never raise", []float64{0.9, 0, 0.9, 0, 0.9, 0, 0.9}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAlarm(KindDrift, "x", Threshold{Raise: 0.25, Clear: 0.1}, 3)
			var got []int
			for i, s := range tt.scores {
				if a.update(s) {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, tt.changes) {
				t.Errorf("changes at %v; want %v", got, tt.changes)
			}
		})
	}
}

func TestEntropy(t *testing.T) {
	ln := math.Log
	tests := []struct {
		name string
		top  []infer.Class
		k    int
		want float64
	}{
		{"certain", []infer.Class{{Score: 1}}, 5, 0},
		{"uniform from top-k", []infer.Class{{Score: 0.25}, {Score: 0.25}}, 4, 1},
		// top 0.5, 0.3 and 0.2 spread over the 3 other classes of 5:
		// H = −0.5 ln 0.5 − 0.3 ln 0.3 − 0.2 ln(0.2/3), normalised by ln 5.
		{"rest spread", []infer.Class{{Score: 0.5}, {Score: 0.3}}, 5, (-0.5*ln(0.5) - 0.3*ln(0.3) - 0.2*ln(0.2/3)) / ln(5)},
		{"one class", []infer.Class{{Score: 1}}, 1, 0},
	}
	for _, tt := range tests {
		if got := entropyTop(tt.top, tt.k); math.Abs(got-tt.want) > 1e-7 { // float32 scores
			t.Errorf("%s: entropyTop = %v; want %v", tt.name, got, tt.want)
		}
	}
	// Full distribution: (0.5, 0.25, 0.25) → 1.5 ln 2 / ln 3.
	if got, want := entropyScores([]float32{0.5, 0.25, 0.25}), 1.5*math.Ln2/math.Log(3); math.Abs(got-want) > 1e-7 {
		t.Errorf("entropyScores = %v; want %v", got, want)
	}
}

func TestATCBin(t *testing.T) {
	// Reference confidence mass: 0.2 in bin 10, 0.3 in bin 60, 0.5 in
	// bin 95. With accuracy 0.8, the threshold is the edge above which
	// 0.8 of the reference lies: bin 60 (0.3 + 0.5).
	conf := make([]float64, probBins)
	conf[10], conf[60], conf[95] = 0.2, 0.3, 0.5
	tests := []struct {
		acc  float64
		want int
	}{{0.8, 60}, {0.5, 95}, {1, 10}}
	for _, tt := range tests {
		got := atcBin(conf, tt.acc)
		// Any bin in the run with the same mass above is equivalent; the
		// function returns the highest such bin.
		if got != tt.want {
			t.Errorf("atcBin(acc %v) = %d; want %d", tt.acc, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	l := newLabelPart(&Config{LabelWindow: 4})
	// truth, pred
	for i, tp := range [][2]int{{0, 0}, {1, 0}, {1, 1}, {2, 2}} {
		l.add(uint64(i+1), tp[0], tp[1])
	}
	if acc, n := l.accuracy(); acc != 0.75 || n != 4 {
		t.Errorf("accuracy = %v over %d; want 0.75 over 4", acc, n)
	}
	l.add(2, 0, 0) // an operator corrects seq 2: now right
	if acc, _ := l.accuracy(); acc != 1 {
		t.Errorf("accuracy after correction = %v; want 1", acc)
	}
	l.add(5, 3, 1) // seq 1 leaves the window; unknown truth 3 → "other"
	if acc, n := l.accuracy(); acc != 0.75 || n != 4 {
		t.Errorf("accuracy after sliding = %v over %d; want 0.75 over 4", acc, n)
	}
	want := [][]int{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 1, 0, 0}}
	if got := l.confusion(3); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("confusion = %v; want %v", got, want)
	}
	l.remember(42, 3)
	if p, ok := l.predicted(42); !ok || p != 3 {
		t.Errorf("predicted(42) = %d, %v", p, ok)
	}
	if _, ok := l.predicted(43); ok {
		t.Error("predicted(43) found")
	}
}

func TestLabelTrend(t *testing.T) {
	l := newLabelPart(&Config{LabelWindow: 10})
	for i := range 3 * trendBlock {
		pred := 0
		if i >= trendBlock && i%2 == 0 {
			pred = 1 // second block: half wrong
		}
		if i >= 2*trendBlock {
			pred = 1 // third block: all wrong
		}
		l.add(uint64(i+1), 0, pred)
	}
	if want := []float64{1, 0.5, 0}; !slices.Equal(l.trend, want) {
		t.Errorf("trend = %v; want %v", l.trend, want)
	}
}

func TestEmbeddingScore(t *testing.T) {
	cfg := Config{Window: 2, Thresholds: Thresholds{Embedding: Threshold{Raise: 1, Clear: 0.5}}, Persist: 1}
	e := newEmbedPart(&cfg)
	e.tensor = "pool"
	e.init(2)
	e.setRef(&EmbeddingRef{Tensor: "pool", Dims: 2, Mean: []float64{0, 10}, Std: []float64{1, 2}})
	e.observe([]float32{1, 10})
	e.observe([]float32{3, 14})
	// Window means (2, 12): shifts 2/1 and 2/2 → √((4 + 1)/2).
	if got, want := e.score(), math.Sqrt(2.5); math.Abs(got-want) > 1e-12 {
		t.Errorf("score = %v; want %v", got, want)
	}
	if !e.alarm.active {
		t.Error("alarm not raised at score 1.58 ≥ 1 with persist 1")
	}
	// A dead dimension (std 0) is floored at 5 % of the mean std.
	e.setRef(&EmbeddingRef{Tensor: "pool", Dims: 2, Mean: []float64{0, 0}, Std: []float64{0, 2}})
	if e.sigma[0] != 0.05 {
		t.Errorf("floored sigma = %v; want 0.05", e.sigma[0])
	}
}

func TestProjection(t *testing.T) {
	cfg := Config{Window: 4, Persist: 1}
	e := newEmbedPart(&cfg)
	e.init(100)
	if e.p != maxProjected || len(e.proj) != maxProjected*100 {
		t.Fatalf("projected to %d dims (%d weights)", e.p, len(e.proj))
	}
	v := make([]float32, 100)
	v[7] = 10
	out := e.project(v)
	// Each output is ±10/√100 = ±1.
	for j, x := range out {
		if math.Abs(math.Abs(x)-1) > 1e-6 {
			t.Fatalf("projection %d = %v; want ±1", j, x)
		}
	}
	f := newEmbedPart(&cfg)
	f.init(100)
	if !slices.Equal(e.proj, f.proj) {
		t.Error("the projection is not the same for the same size")
	}
}
