package eval

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenRuns is a small fixed evaluation: 12 images of three classes with
// a camera column, image statistics and latencies, and a baseline that is
// right on different images.
func goldenRuns() (Run, Run) {
	var model, base []Sample
	for i := range 12 {
		truth := i % 3
		pm, pb := truth, truth
		if i%4 == 3 {
			pm = (truth + 1) % 3
		}
		if i%3 == 2 {
			pb = (truth + 2) % 3
		}
		cam := Tag{Key: "camera", Value: []string{"left", "right"}[i%2]}
		st := &ImageStats{MeanLuma: float64(20 * i), Contrast: float64(40 - i), Sharpness: float64(i * i)}
		m := smp(string(rune('a'+i))+".jpg", truth, pm, 0.5+0.04*float64(i), cam)
		m.Stats, m.Latency = st, time.Duration(10+i)*time.Millisecond
		b := smp(m.ID, truth, pb, 0.9-0.03*float64(i), cam)
		b.Stats, b.Latency = st, time.Duration(3+i%4)*time.Millisecond
		model, base = append(model, m), append(base, b)
	}
	model = append(model, Sample{ID: "broken.jpg", Truth: 0, TruthLabel: "cat", Err: "imgio.Decode: not a JPEG, PNG or BMP image"})
	info := func(name string) ModelInfo {
		return ModelInfo{Name: name, SHA256: strings.Repeat("ab", 32), Classes: 3}
	}
	return Run{Model: info("candidate"), Samples: model}, Run{Model: info("baseline"), Samples: base}
}

// TestReportGolden pins the JSON report format (docs/eval.md): a change
// to it shows up here and needs -update and a docs change, or a new "v".
func TestReportGolden(t *testing.T) {
	m, b := goldenRuns()
	rep := NewReport(DataInfo{Sources: []string{"testset"}, Images: 13, Truth: []string{"candidate: true class by label name (12 images)"}}, m, &b)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("report JSON differs from %s (run go test -update after checking the change):\n%s", path, buf.String())
	}
	// Hand-checked facts of the golden data: the model misses images 3, 7
	// and 11 (i%4 = 3), the baseline 2, 5, 8, 11 (i%3 = 2).
	if rep.Model.Top1.Correct != 9 || rep.Baseline.Top1.Correct != 8 || rep.Comparison.ModelOnly != 3 ||
		rep.Comparison.BaselineOnly != 2 || rep.Comparison.BothWrong != 1 || len(rep.Model.Failed) != 1 {
		t.Errorf("golden facts: top-1 %d / %d, model only %d, baseline only %d, both wrong %d, failed %d; want 9 / 8, 3, 2, 1, 1",
			rep.Model.Top1.Correct, rep.Baseline.Top1.Correct, rep.Comparison.ModelOnly, rep.Comparison.BaselineOnly, rep.Comparison.BothWrong, len(rep.Model.Failed))
	}
	back, err := ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := back.WriteJSON(&again); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("report does not survive ReadJSON → WriteJSON unchanged (err %v)", err)
	}
}

func TestReadJSONRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		is   error
	}{
		{"other version", `{"v": 2}`, ErrVersion},
		{"no version", `{"data": {}}`, ErrVersion},
		{"unknown field", `{"v": 1, "surprise": true}`, nil},
		{"not json", `<html>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("ReadJSON(%q) = %v; want an error (%v)", tt.in, err, tt.is)
			}
		})
	}
}

// TestHTMLAndText renders the golden evaluation's HTML and terminal
// table; the HTML must hold every plot.
func TestHTMLAndText(t *testing.T) {
	m, b := goldenRuns()
	rep := NewReport(DataInfo{Sources: []string{"testset"}, Images: 13}, m, &b)
	var page bytes.Buffer
	if err := rep.WriteHTML(&page, HTMLOptions{Title: "golden <test>"}); err != nil {
		t.Fatal(err)
	}
	s := page.String()
	for _, want := range []string{"<title>golden &lt;test&gt;</title>", ">Reliability diagram<", ">Top-1 confidence<", ">Per-class F1 — candidate<",
		">Per-class F1 — baseline<", ">Latency — candidate<", ">Top-1 accuracy by slice<", "camera = left", "broken.jpg", "McNemar"} {
		if !strings.Contains(s, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if n := strings.Count(s, "<svg "); n != 7 {
		t.Errorf("HTML has %d <svg> plots; want 7 (reliability, confidence, 2 F1, 2 latency, slices)", n)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.txt")
	if *update {
		if err := os.WriteFile(path, text.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(text.Bytes(), want) {
		t.Errorf("terminal table differs from %s:\n%s", path, text.String())
	}
}

// FuzzReadJSON feeds arbitrary bytes to the report reader (reports travel
// to OTA gates and release tooling): no panic, and what it accepts writes
// back as a valid report.
func FuzzReadJSON(f *testing.F) {
	m, b := goldenRuns()
	rep := NewReport(DataInfo{Sources: []string{"s"}}, m, &b)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"model":{"top1":{"correct":-1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if r.V != Version {
			t.Fatalf("accepted version %d", r.V)
		}
		var out bytes.Buffer
		if err := r.WriteJSON(&out); err != nil {
			t.Fatalf("accepted report does not write back: %v", err)
		}
	})
}
