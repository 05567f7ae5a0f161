package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/monitor/eval"
)

// TestEvalCommand runs fovea eval as a process on the synthetic scene with
// the shapes model and checks the table, the progress lines (stderr is not
// a terminal) and both report files.
func TestEvalCommand(t *testing.T) {
	dir := t.TempDir()
	js, page := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	model := filepath.Join("..", "..", "testdata", "models", "shapes.tflite")
	out, errOut, err := fovea(t, "eval", "--model", model, "--baseline", model,
		"--data", "synthetic:seed=2&count=100&drift=brightness&drift_at=51", "--json", js, "--html", page)
	if err != nil {
		t.Fatalf("fovea eval: %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, want := range []string{"top-1 [95% CI]", "latency p50/p90/p99 ms", "McNemar (exact)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(errOut, "\n"); n != 10 || !strings.Contains(errOut, "100/100 100%") {
		t.Errorf("stderr has %d progress lines; want 10 ending at 100/100:\n%s", n, errOut)
	}
	f, err := os.Open(js)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := eval.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Data.Images != 100 || rep.Model.Images != 100 || rep.Baseline == nil || rep.Comparison == nil || rep.Created == "" {
		t.Errorf("report: %d images, model %d, baseline %v, comparison %v, created %q", rep.Data.Images, rep.Model.Images,
			rep.Baseline != nil, rep.Comparison != nil, rep.Created)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "<svg "); n < 5 {
		t.Errorf("HTML report has %d <svg> plots; want at least 5", n)
	}
}

func TestEvalCommandErrors(t *testing.T) {
	model := filepath.Join("..", "..", "testdata", "models", "shapes.tflite")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data", []string{"eval", "--model", model}, "--data is required"},
		{"missing folder", []string{"eval", "--model", model, "--data", filepath.Join(t.TempDir(), "nope")}, "bad data set"},
		{"bad synthetic", []string{"eval", "--model", model, "--data", "synthetic:size=2"}, "size"},
		{"no model", []string{"eval", "--data", "synthetic:count=1"}, "model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, err := fovea(t, tt.args...)
			if err == nil || !strings.Contains(errOut, tt.want) {
				t.Errorf("fovea %q: err %v, stderr %q; want a failure mentioning %q", tt.args, err, errOut, tt.want)
			}
		})
	}
}
