package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestRunGroundTruth: a dir: folder with a ground_truth.tsv (the layout
// of the shared ImageNet sample) gives every result its truth and the
// running accuracy, and the run ends with a summary line.
func TestRunGroundTruth(t *testing.T) {
	const n = 4
	dir, paths := imagenetSubset(t, n)
	shared := sharedtest.Dir(t, "images", "imagenet", "ground_truth.tsv")
	f, err := os.Open(shared)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keep := map[string]bool{"file": true}
	for _, p := range paths {
		keep[filepath.Base(p)] = true
	}
	var tsv strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if file, _, _ := strings.Cut(sc.Text(), "\t"); keep[file] {
			tsv.WriteString(sc.Text() + "\n")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ground_truth.tsv"), []byte(tsv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	g := sharedtest.Dir(t, "golden")
	data := t.TempDir()
	cfg := writeConfig(t, `version: 1
device_id: truth
data_dir: `+data+`
cameras: [{id: inet, uri: "dir:`+dir+`", on_full: wait}]
model:
  path: `+filepath.Join(g, "models", "mobilenet_v1_0.25_128_quant.tflite")+`
  labels: `+filepath.Join(g, "labels", "imagenet_labels.txt")+`
http: {listen: "off"}
`)
	stdout, stderr, err := fovea(t, "run", "--config", cfg, "--print")
	if err != nil {
		t.Fatalf("fovea run: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != n+2 {
		t.Fatalf("fovea run --print wrote %d lines; want a header, %d results and a summary:\n%s", len(lines), n, stdout)
	}
	for _, l := range lines[1 : n+1] {
		if !strings.Contains(l, "accuracy") {
			t.Errorf("result line without truth and accuracy: %q", l)
		}
	}
	if sum := lines[n+1]; !strings.HasPrefix(sum, "summary: 4 results in ") || !strings.Contains(sum, "accuracy ") || !strings.Contains(sum, "0 dropped, 0 skipped, 0 errors") {
		t.Errorf("summary line = %q", sum)
	}
	for _, r := range outboxRecords(t, data) {
		if r.Truth == "" {
			t.Errorf("stored record %s has no truth", r.Frame)
		}
	}
}

// TestRunUnreadableFolder: a folder whose every image is unreadable ends
// the run with an error naming the folder and the files, as an empty
// folder does, not with exit status 0 and no results.
func TestRunUnreadableFolder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jpg", "b.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("not an image"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	model, err := filepath.Abs("../../testdata/models/shapes.tflite")
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, `version: 1
device_id: d
data_dir: `+t.TempDir()+`
cameras: [{id: bad, uri: "dir:`+dir+`"}]
model: {path: `+model+`}
http: {listen: "off"}
`)
	_, stderr, err := fovea(t, "run", "--config", cfg)
	if err == nil {
		t.Fatalf("fovea run over unreadable images succeeded; want exit status 1\n%s", stderr)
	}
	for _, want := range []string{"fovea: ", "none of the 2 images in " + dir + " could be read", "a.jpg (", "b.png (", "summary: 0 results"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestOutboxStatsJSON: `fovea outbox stats --json` on a real outbox
// written by `fovea run` prints snake_case keys with the right counts.
func TestOutboxStatsJSON(t *testing.T) {
	model, err := filepath.Abs("../../testdata/models/shapes.tflite")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	cfg := writeConfig(t, `version: 1
device_id: d
data_dir: `+data+`
cameras: [{id: s, uri: "synthetic:seed=1&count=6", on_full: wait}]
model: {path: `+model+`}
http: {listen: "off"}
`)
	if _, stderr, err := fovea(t, "run", "--config", cfg); err != nil {
		t.Fatalf("fovea run: %v\n%s", err, stderr)
	}
	out, stderr, err := fovea(t, "outbox", "stats", "--data", data, "--json")
	if err != nil {
		t.Fatalf("fovea outbox stats: %v\n%s", err, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("outbox stats --json = %q: %v", out, err)
	}
	want := map[string]float64{"count": 6, "appended": 6, "oldest_seq": 1, "newest_seq": 6, "acked": 0, "evicted": 0, "acked_up_to": 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("outbox stats --json: %s = %v; want %v (%s)", k, got[k], v, out)
		}
	}
	for _, k := range []string{"path", "bytes", "file_bytes"} {
		if _, ok := got[k]; !ok {
			t.Errorf("outbox stats --json lacks %q: %s", k, out)
		}
	}
}
