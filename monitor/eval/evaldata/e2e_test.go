package evaldata

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fovea-edge/fovea/camera/synthetic"
	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/monitor/eval"
)

// shapesModel is the demo model the repository trains itself.
var shapesModel = filepath.Join("..", "..", "..", "testdata", "models", "shapes.tflite")

// directTop1 classifies every frame of a synthetic URI with a fresh
// infer.Classifier, independently of Run, and counts top-1 hits.
func directTop1(t *testing.T, uri string) (correct, n int) {
	t.Helper()
	cfg, err := synthetic.ParseURI(uri, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := synthetic.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := infer.Open(shapesModel, infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := infer.NewClassifier(m, infer.ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for {
		f, err := src.Next(context.Background())
		if err != nil {
			break
		}
		p, err := c.Classify(context.Background(), f.Image, 1)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if p.Top[0].Label == f.Truth {
			correct++
		}
	}
	return correct, n
}

func loadShapes(t *testing.T) *Model {
	t.Helper()
	m, err := LoadModel(shapesModel, ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestSyntheticEndToEnd evaluates the shapes model on a drifting synthetic
// scene (including a class it never saw), writes the JSON and HTML
// reports, and checks them against an independent classification run.
func TestSyntheticEndToEnd(t *testing.T) {
	const query = "seed=7&count=400&drift=newclass,blur&drift_at=201&drift_amount=0.5"
	set, err := Open("synthetic:"+query, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	model, base := loadShapes(t), loadShapes(t)
	var calls int
	runs, info, err := Run(context.Background(), []Set{set}, []*Model{model, base}, RunOptions{
		Progress: func(done, total int) {
			calls++
			if done != calls || total != 400 {
				t.Errorf("Progress(%d, %d) on call %d; want (%d, 400)", done, total, calls, calls)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.NewReport(info, runs[0], &runs[1])

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	got, err := eval.ReadJSON(&js)
	if err != nil {
		t.Fatalf("ReadJSON of our own report: %v", err)
	}
	wantCorrect, n := directTop1(t, query)
	if got.V != 1 || got.Data.Images != 400 || n != 400 || got.Model.Images != 400 {
		t.Fatalf("report v %d, %d images, model %d classified; want v 1, 400, 400", got.V, got.Data.Images, got.Model.Images)
	}
	if got.Model.Top1.Correct != wantCorrect {
		t.Errorf("top-1 correct = %d; classifying the same frames directly gives %d", got.Model.Top1.Correct, wantCorrect)
	}
	t.Logf("shapes on %s: top-1 %.1f%% [%.1f, %.1f], ECE %.3f, macro F1 %.3f",
		query, 100*got.Model.Top1.Value, 100*got.Model.Top1.CI95Low, 100*got.Model.Top1.CI95High, got.Model.Calibration.ECE, got.Model.Averages.MacroF1)
	// A model compared with itself: no discordant pair, p = 1.
	if c := got.Comparison; c == nil || c.Paired != 400 || c.ModelOnly != 0 || c.BaselineOnly != 0 || c.McNemar.PValue != 1 || len(c.Disagreements) != 0 {
		t.Errorf("self-comparison = %+v; want 400 paired, no discordant pairs, p = 1", got.Comparison)
	}
	slices := map[string]int{}
	for _, s := range got.Model.Slices {
		slices[s.Key+"="+s.Value] = s.Top1.N
	}
	if slices["drift=none"] != 200 || slices["drift=newclass,blur"] != 200 || slices["source=synthetic:"+query] != 400 {
		t.Errorf("slices = %v; want 200 undrifted, 200 drifted, 400 from the source", slices)
	}
	// The hexagon the newclass drift draws is a class the model lacks:
	// listed with index −1, never right.
	var hex *eval.ClassStats
	for i, c := range got.Model.Classes {
		if c.Label == "hexagon" {
			hex = &got.Model.Classes[i]
		}
	}
	if hex == nil || hex.Index != -1 || hex.Support == 0 || hex.TP != 0 {
		t.Errorf("hexagon class = %+v; want index −1, support > 0, no hits", hex)
	}
	if len(got.Model.Calibration.Bins) != 15 || got.Model.Calibration.Skipped != "" || got.Model.Latency.N != 400 {
		t.Errorf("calibration %d bins (skipped %q), latency n %d; want 15 bins and 400 latencies",
			len(got.Model.Calibration.Bins), got.Model.Calibration.Skipped, got.Model.Latency.N)
	}

	var page bytes.Buffer
	if err := rep.WriteHTML(&page, eval.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, page.Bytes(), []string{"Reliability diagram", "Top-1 confidence", "Per-class F1", "Latency", "Top-1 accuracy by slice"})

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "top-1 [95% CI]") || !strings.Contains(text.String(), "McNemar (exact)") {
		t.Errorf("terminal table:\n%s\nwant the top-1 row and the McNemar line", text.String())
	}
}

// checkHTML parses page and checks it is one self-contained document: an
// <svg> plot per title (each with drawn paths and text), no scripts and no
// external resources.
func checkHTML(t *testing.T, page []byte, titles []string) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	var svgs []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "img", "iframe":
				t.Errorf("report has a <%s> element; want a self-contained page", n.Data)
			case "svg":
				var b bytes.Buffer
				if err := html.Render(&b, n); err != nil {
					t.Fatal(err)
				}
				svgs = append(svgs, b.String())
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, title := range titles {
		found := false
		for _, s := range svgs {
			if strings.Contains(s, ">"+title) && strings.Contains(s, "<path") && strings.Contains(s, "<text") {
				found = true
			}
		}
		if !found {
			t.Errorf("no <svg> plot titled %q among %d plots", title, len(svgs))
		}
	}
}

// TestFolderSets writes real frames of the synthetic scene as PNG files in
// both folder layouts and checks that eval reads the truth from the
// folder names and from ground_truth.tsv alike.
func TestFolderSets(t *testing.T) {
	cfg, err := synthetic.ParseURI("seed=3&count=40", 0)
	if err != nil {
		t.Fatal(err)
	}
	byClass, withTSV := t.TempDir(), t.TempDir()
	tsv := "file\tlabel\tlighting\n"
	for i := range uint64(40) {
		f := cfg.Scene.Render(i, false)
		name := fmt.Sprintf("f%02d.png", i)
		var b bytes.Buffer
		if err := png.Encode(&b, f.Image); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(byClass, f.Label), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{filepath.Join(byClass, f.Label, name), filepath.Join(withTSV, name)} {
			if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tsv += fmt.Sprintf("%s\t%s\t%s\n", name, f.Label, []string{"day", "night"}[i%2])
	}
	// An unreadable image is reported, not fatal.
	if err := os.WriteFile(filepath.Join(withTSV, "broken.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	tsv += "broken.png\tcircle\tday\n"
	if err := os.WriteFile(filepath.Join(withTSV, TruthFileName), []byte(tsv), 0o644); err != nil {
		t.Fatal(err)
	}
	model := loadShapes(t)
	var top1 []int
	for _, dir := range []string{byClass, withTSV} {
		set, err := Open(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		runs, info, err := Run(context.Background(), []Set{set}, []*Model{model}, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r := eval.Evaluate(runs[0].Model, runs[0].Samples, nil, 0)
		if r.Images != 40 || !strings.Contains(info.Truth[0], "label name (40 images)") {
			t.Errorf("%s: %d images classified, truth %q; want 40 by label name", dir, r.Images, info.Truth)
		}
		top1 = append(top1, r.Top1.Correct)
		if dir == withTSV {
			if len(r.Failed) != 1 || r.Failed[0].ID != "broken.png" {
				t.Errorf("failed = %+v; want broken.png", r.Failed)
			}
			var n int
			for _, s := range r.Slices {
				if s.Key == "lighting" {
					n += s.Top1.N
				}
			}
			if n != 40 {
				t.Errorf("lighting slices hold %d images; want 40", n)
			}
		}
	}
	want, _ := directTop1(t, "seed=3&count=40")
	if top1[0] != want || top1[1] != want {
		t.Errorf("top-1 correct: class folders %d, ground_truth.tsv %d; classifying the frames directly gives %d", top1[0], top1[1], want)
	}
}

func TestOpenErrors(t *testing.T) {
	empty := t.TempDir()
	file := filepath.Join(empty, "x.txt")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{empty, file, filepath.Join(empty, "missing"), "synthetic:size=3", "synthetic:bogus=1"} {
		if _, err := Open(spec, 0); err == nil {
			t.Errorf("Open(%q) succeeded; want an error", spec)
		}
	}
}
