package eval

import (
	"image"
	"image/color"
	"reflect"
	"testing"
	"time"
)

var testLabels = []string{"cat", "dog", "fox"}

// smp builds a classified sample: truth index, top-1 index and score, then
// the runner-up.
func smp(id string, truth, pred int, score float64, tags ...Tag) Sample {
	second := (pred + 1) % len(testLabels)
	s := Sample{
		ID: id, Truth: truth, TruthLabel: "hexagon",
		Top: []Pred{
			{Index: pred, Label: testLabels[pred], Score: score},
			{Index: second, Label: testLabels[second], Score: (1 - score) / 2},
		},
		Tags: tags,
	}
	if truth >= 0 {
		s.TruthLabel = testLabels[truth]
	}
	return s
}

func TestClassTable(t *testing.T) {
	// truth→pred: cat→cat ×2, cat→dog, dog→dog, dog→cat, fox→cat, and an
	// unknown class (hexagon) predicted as fox.
	samples := []Sample{
		smp("1", 0, 0, .9), smp("2", 0, 0, .8), smp("3", 0, 1, .6),
		smp("4", 1, 1, .7), smp("5", 1, 0, .5), smp("6", 2, 0, .4),
		smp("7", -1, 2, .3),
		{ID: "8", Truth: 0, Err: "decode failed"},
	}
	classes, conf := classTable(samples)
	// cat: support 3, predicted 4 (1,2,5,6), tp 2 → P .5, R 2/3, F1 4/7.
	// dog: support 2, predicted 2 (3,4), tp 1 → P .5, R .5, F1 .5.
	// fox: support 1, predicted 1 (7), tp 0 → 0.
	// hexagon (−1): support 1, predicted 0.
	want := []ClassStats{
		{Index: 0, Label: "cat", Support: 3, Predicted: 4, TP: 2, Precision: .5, Recall: 2.0 / 3, F1: 4.0 / 7},
		{Index: 1, Label: "dog", Support: 2, Predicted: 2, TP: 1, Precision: .5, Recall: .5, F1: .5},
		{Index: 2, Label: "fox", Support: 1, Predicted: 1, TP: 0},
		{Index: -1, Label: "hexagon", Support: 1},
	}
	if len(classes) != len(want) {
		t.Fatalf("classTable: %d classes %+v; want %d", len(classes), classes, len(want))
	}
	for i := range want {
		g, w := classes[i], want[i]
		if g.Index != w.Index || g.Label != w.Label || g.Support != w.Support || g.Predicted != w.Predicted || g.TP != w.TP ||
			!near(g.Precision, w.Precision, 1e-12) || !near(g.Recall, w.Recall, 1e-12) || !near(g.F1, w.F1, 1e-12) {
			t.Errorf("class %d = %+v; want %+v", i, g, w)
		}
	}
	wantConf := []Confusion{
		{Truth: 0, TruthLabel: "cat", Pred: 1, PredLabel: "dog", Count: 1},
		{Truth: 1, TruthLabel: "dog", Pred: 0, PredLabel: "cat", Count: 1},
		{Truth: 2, TruthLabel: "fox", Pred: 0, PredLabel: "cat", Count: 1},
		{Truth: -1, TruthLabel: "hexagon", Pred: 2, PredLabel: "fox", Count: 1},
	}
	// Equal counts sort by truth index: −1 first.
	wantConf = append(wantConf[3:], wantConf[:3]...)
	if !reflect.DeepEqual(conf, wantConf) {
		t.Errorf("confusions = %+v; want %+v", conf, wantConf)
	}
	avg := averages(classes)
	// Macro over the 4 classes with support: P (.5+.5+0+0)/4, R (2/3+.5)/4,
	// F1 (4/7+.5)/4; weighted by support 3,2,1,1 of 7.
	if !near(avg.MacroPrecision, .25, 1e-12) || !near(avg.MacroRecall, (2.0/3+.5)/4, 1e-12) ||
		!near(avg.MacroF1, (4.0/7+.5)/4, 1e-12) || !near(avg.WeightedRecall, (3*2.0/3+2*.5)/7, 1e-12) {
		t.Errorf("averages = %+v", avg)
	}
}

func TestCalibrate(t *testing.T) {
	tests := []struct {
		name     string
		samples  []Sample
		ece, mce float64
		skipped  bool
	}{
		{
			// Bin 13 (0.9): 1 of 2 right, gap .4; bin 4 (0.3): 1 of 2, gap
			// .2. ECE = ½·.4 + ½·.2.
			name:    "two bins",
			samples: []Sample{smp("a", 0, 0, .9), smp("b", 1, 0, .9), smp("c", 0, 0, .3), smp("d", 1, 0, .3)},
			ece:     .3, mce: .4,
		},
		{
			// 8 of 10 right at confidence .8: perfectly calibrated.
			name: "calibrated",
			samples: []Sample{
				smp("0", 0, 0, .8), smp("1", 0, 0, .8), smp("2", 0, 0, .8), smp("3", 0, 0, .8), smp("4", 0, 0, .8),
				smp("5", 0, 0, .8), smp("6", 0, 0, .8), smp("7", 0, 0, .8), smp("8", 1, 0, .8), smp("9", 1, 0, .8),
			},
		},
		{
			// Always sure, right half the time.
			name:    "overconfident",
			samples: []Sample{smp("a", 0, 0, 1), smp("b", 1, 0, 1)},
			ece:     .5, mce: .5,
		},
		{
			name:    "logits",
			samples: []Sample{smp("a", 0, 0, 3.5)},
			skipped: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := calibrate(tt.samples, 15)
			if (cal.Skipped != "") != tt.skipped {
				t.Fatalf("calibrate skipped = %q; want skipped %v", cal.Skipped, tt.skipped)
			}
			if tt.skipped {
				return
			}
			if !near(cal.ECE, tt.ece, 1e-12) || !near(cal.MCE, tt.mce, 1e-12) {
				t.Errorf("ECE, MCE = %v, %v; want %v, %v", cal.ECE, cal.MCE, tt.ece, tt.mce)
			}
			var n int
			for _, b := range cal.Bins {
				n += b.Count
			}
			if len(cal.Bins) != 15 || n != len(tt.samples) {
				t.Errorf("%d bins holding %d samples; want 15 holding %d", len(cal.Bins), n, len(tt.samples))
			}
		})
	}
}

func TestLatency(t *testing.T) {
	var samples []Sample
	for i := 1; i <= 100; i++ {
		s := smp("x", 0, 0, .5)
		s.Latency = time.Duration(i) * time.Millisecond
		samples = append(samples, s)
	}
	l := latency(samples)
	if l.N != 100 || l.P50MS != 50 || l.P90MS != 90 || l.P99MS != 99 || l.MinMS != 1 || l.MaxMS != 100 || !near(l.MeanMS, 50.5, 1e-9) {
		t.Errorf("latency = %+v; want n 100, p50 50, p90 90, p99 99, min 1, max 100, mean 50.5", l)
	}
	// 20 bars of width 4.95 ms from 1 to 100: 5 values each except the
	// rounding at the edges; all 100 are counted.
	var n int
	for _, b := range l.Histogram {
		n += b.Count
	}
	if len(l.Histogram) != LatencyBins || n != 100 || l.Histogram[0].Count != 5 || l.Histogram[LatencyBins-1].Hi != 100 {
		t.Errorf("histogram = %+v", l.Histogram)
	}
}

func TestSlicesAndBuckets(t *testing.T) {
	stats := func(l float64) *ImageStats { return &ImageStats{MeanLuma: l, Contrast: 100 - l, Sharpness: l * 2} }
	cam := func(v string) Tag { return Tag{Key: "camera", Value: v} }
	var samples []Sample
	// Six images, luma 10..60; camera a right 2 of 3, b right 1 of 3.
	for i, ok := range []bool{true, true, false, true, false, false} {
		pred := 0
		if !ok {
			pred = 1
		}
		c := "a"
		if i >= 3 {
			c = "b"
		}
		s := smp(string(rune('0'+i)), 0, pred, .5, cam(c))
		s.Stats = stats(float64(10 * (i + 1)))
		samples = append(samples, s)
	}
	edges := ImageBuckets(samples)
	// Tertiles of 10..60 (type 7): 10+5/3·10 ≈ 26.67 and 43.33.
	if len(edges) != 3 || edges[0].Key != KeyBrightness || !near(edges[0].Low, 80.0/3, 1e-9) || !near(edges[0].High, 130.0/3, 1e-9) {
		t.Fatalf("ImageBuckets = %+v", edges)
	}
	got := map[string][2]int{}
	for _, s := range sliceTable(samples, edges) {
		got[s.Key+"="+s.Value] = [2]int{s.Top1.Correct, s.Top1.N}
	}
	want := map[string][2]int{
		"camera=a": {2, 3}, "camera=b": {1, 3},
		// luma 10,20 low (both right); 30,40 mid (1 of 2); 50,60 high (0).
		"brightness=low": {2, 2}, "brightness=mid": {1, 2}, "brightness=high": {0, 2},
		// contrast = 100−luma: reversed.
		"contrast=low": {0, 2}, "contrast=mid": {1, 2}, "contrast=high": {2, 2},
		"sharpness=low": {2, 2}, "sharpness=mid": {1, 2}, "sharpness=high": {0, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("slices = %v; want %v", got, want)
	}
}

func TestCompare(t *testing.T) {
	model := []Sample{smp("1", 0, 0, .9), smp("2", 1, 1, .9), smp("3", 2, 0, .9), smp("4", 0, 0, .9), smp("5", 0, 0, .9)}
	base := []Sample{smp("1", 0, 0, .9), smp("2", 1, 0, .9), smp("3", 2, 1, .9), smp("4", 0, 2, .9), {ID: "5", Err: "x"}}
	c := Compare(model, base)
	// Paired 1-4: 1 both right; 2 and 4 model only; 3 both wrong (cat vs
	// dog: a disagreement).
	if c.Paired != 4 || c.BothRight != 1 || c.ModelOnly != 2 || c.BaselineOnly != 0 || c.BothWrong != 1 {
		t.Errorf("Compare = %+v", c)
	}
	var ids []string
	for _, d := range c.Disagreements {
		ids = append(ids, d.ID)
	}
	if !reflect.DeepEqual(ids, []string{"2", "3", "4"}) || !c.Disagreements[0].ModelOK || c.Disagreements[0].BaselineOK {
		t.Errorf("disagreements = %+v; want images 2, 3, 4 (model right on 2)", c.Disagreements)
	}
	if c.McNemar.Method != "exact" || !near(c.McNemar.PValue, .5, 1e-12) || !near(c.DeltaTop1, .5, 1e-12) {
		t.Errorf("McNemar = %+v, delta %v; want exact p = 2·¼ = 0.5, delta 0.5", c.McNemar, c.DeltaTop1)
	}
}

func TestImageStats(t *testing.T) {
	// A 4×4 checkerboard of 0 and 200: mean 100, RMS contrast 100; the
	// Laplacian at every interior pixel is ±800 (four neighbours of the
	// other colour), mean 0 over the 2×2 interior → variance 640000.
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			if (x+y)%2 == 1 {
				img.SetGray(x, y, color.Gray{Y: 200})
			}
		}
	}
	flat := image.NewRGBA(image.Rect(0, 0, 5, 5))
	for i := range flat.Pix {
		flat.Pix[i] = 255
	}
	ycc := image.NewYCbCr(image.Rect(0, 0, 3, 3), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = 50
	}
	ycc.Y[4] = 59 // centre: Laplacian 4·50 − 4·59 = −36, one interior pixel
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Pix = []uint8{255, 0, 0, 255, 0, 0, 255, 255}
	tests := []struct {
		name string
		img  image.Image
		want ImageStats
	}{
		{"checkerboard", img, ImageStats{MeanLuma: 100, Contrast: 100, Sharpness: 640000}},
		{"white", flat, ImageStats{MeanLuma: 255}},
		// Mean (8·50+59)/9 = 51; variance (8·1+64)/9 = 8.
		{"ycbcr", ycc, ImageStats{MeanLuma: 51, Contrast: 2.8284271247, Sharpness: 0}},
		// BT.601: red → 76, blue → 29; too small for a Laplacian.
		{"red blue", nrgba, ImageStats{MeanLuma: 52.5, Contrast: 23.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ComputeImageStats(tt.img)
			if !near(got.MeanLuma, tt.want.MeanLuma, 1e-9) || !near(got.Contrast, tt.want.Contrast, 1e-9) || !near(got.Sharpness, tt.want.Sharpness, 1e-6) {
				t.Errorf("ComputeImageStats = %+v; want %+v", got, tt.want)
			}
		})
	}
}
