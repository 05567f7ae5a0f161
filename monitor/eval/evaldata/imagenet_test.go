package evaldata

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
	"github.com/fovea-edge/fovea/monitor/eval"
)

// TestImageNetMatchesClassify evaluates MobileNet v2 1.0 224 quant against
// MobileNet v1 0.25 128 quant on the labelled ImageNet photos of ../shared
// and checks, image by image, that eval's top-1 is what an
// infer.Classifier (fovea classify's path: imgio.DecodeFile, Classify)
// gives. -short evaluates the first 20 photos only.
func TestImageNetMatchesClassify(t *testing.T) {
	images := sharedtest.Dir(t, "images", "imagenet")
	models := sharedtest.Dir(t, "golden", "models")
	limit := 0
	if testing.Short() {
		limit = 20
	}
	paths := []string{
		filepath.Join(models, "mobilenet_v2_1.0_224_quant.tflite"),
		filepath.Join(models, "mobilenet_v1_0.25_128_quant.tflite"),
	}
	var ms []*Model
	for _, p := range paths {
		m, err := LoadModel(p, ModelOptions{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		ms = append(ms, m)
	}
	set, err := Open(images, limit)
	if err != nil {
		t.Fatal(err)
	}
	runs, info, err := Run(context.Background(), []Set{set}, ms, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.NewReport(info, runs[0], &runs[1])
	want := 300
	if limit > 0 {
		want = limit
	}
	for i, p := range paths {
		r := rep.Model
		if i == 1 {
			r = *rep.Baseline
		}
		if r.Images != want || len(r.Failed) != 0 {
			t.Fatalf("%s: %d classified, %d failed; want %d, 0", p, r.Images, len(r.Failed), want)
		}
		// The same decoding and classification, done directly.
		m, err := infer.Open(p, infer.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := infer.NewClassifier(m, infer.ClassifierOptions{})
		if err != nil {
			t.Fatal(err)
		}
		correct := 0
		for _, s := range runs[i].Samples {
			img, err := imgio.DecodeFile(filepath.Join(images, s.ID))
			if err != nil {
				t.Fatal(err)
			}
			pred, err := c.Classify(context.Background(), img, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Top[0].Index; got != pred.Top[0].Index {
				t.Errorf("%s %s: eval top-1 %d; infer.Classifier gives %d", r.Model.Name, s.ID, got, pred.Top[0].Index)
			}
			if pred.Top[0].Index == s.Truth {
				correct++
			}
		}
		c.Close()
		if r.Top1.Correct != correct {
			t.Errorf("%s: eval top-1 correct %d; classifying directly gives %d", r.Model.Name, r.Top1.Correct, correct)
		}
		t.Logf("%s: top-1 %.1f%% [%.1f, %.1f], top-5 %.1f%%, ECE %.3f, p50 %.1f ms (%d photos)", r.Model.Name,
			100*r.Top1.Value, 100*r.Top1.CI95Low, 100*r.Top1.CI95High, 100*r.Top5.Value, r.Calibration.ECE, r.Latency.P50MS, r.Images)
	}
	c := rep.Comparison
	t.Logf("McNemar %s: v2 only right %d, v1 0.25 only right %d, statistic %.3f, p = %.3g; %d disagreements",
		c.McNemar.Method, c.ModelOnly, c.BaselineOnly, c.McNemar.Statistic, c.McNemar.PValue, len(c.Disagreements))
	if info.Truth[0] != "mobilenet_v2_1.0_224_quant: true class by column index_1001 ("+itoa(want)+" images)" {
		t.Errorf("truth rule %q; want column index_1001 for a 1001-class model", info.Truth[0])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
