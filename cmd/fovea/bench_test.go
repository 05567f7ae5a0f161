package main

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestBenchJSON runs `fovea bench --json` on the demo model with each
// kernel path this CPU offers and checks the object scripts read.
func TestBenchJSON(t *testing.T) {
	const model = "../../testdata/models/shapes.tflite"
	out, stderr, err := fovea(t, "bench", "--model", model, "--runs", "3", "--warmup", "1", "--json")
	if err != nil {
		t.Fatalf("fovea bench --json: %v\n%s", err, stderr)
	}
	var auto benchJSON
	if err := json.Unmarshal([]byte(out), &auto); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if len(auto.Available) == 0 || !slices.Contains(auto.Available, "generic") || !slices.Contains(auto.Available, auto.Kernels) {
		t.Fatalf("kernels %q, available %q: want generic among the available paths, and the active one too", auto.Kernels, auto.Available)
	}
	for _, path := range auto.Available {
		t.Run(path, func(t *testing.T) {
			out, stderr, err := fovea(t, "bench", "--model", model, "--runs", "4", "--warmup", "1", "--threads", "2", "--kernels", path, "--json")
			if err != nil {
				t.Fatalf("fovea bench --kernels %s --json: %v\n%s", path, err, stderr)
			}
			var r benchJSON
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("output is not one JSON object: %v\n%s", err, out)
			}
			if r.Model != "shapes" || r.Kernels != path || r.Threads != 2 || r.Runs != 4 {
				t.Errorf("got model %q kernels %q threads %d runs %d; want shapes %s 2 4", r.Model, r.Kernels, r.Threads, r.Runs, path)
			}
			if !(r.MinMS > 0 && r.MinMS <= r.MedianMS && r.MedianMS <= r.P90MS && r.P90MS <= r.P99MS) {
				t.Errorf("times out of order: min %v median %v p90 %v p99 %v", r.MinMS, r.MedianMS, r.P90MS, r.P99MS)
			}
		})
	}
	_, stderr, err = fovea(t, "bench", "--model", model, "--runs", "1", "--json", "--per-op")
	if err == nil || !strings.Contains(stderr, "--per-op") {
		t.Errorf("--json with --per-op: err %v, stderr %q; want a refusal naming --per-op", err, stderr)
	}
}

// TestBenchPerOp checks `fovea bench --per-op`: one line per operator
// type, with the achieved GMAC/s where the type has MACs.
func TestBenchPerOp(t *testing.T) {
	const model = "../../testdata/models/shapes.tflite"
	out, stderr, err := fovea(t, "bench", "--model", model, "--runs", "2", "--warmup", "1", "--per-op")
	if err != nil {
		t.Fatalf("fovea bench --per-op: %v\n%s", err, stderr)
	}
	var conv string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "CONV_2D ") {
			conv = l
		}
	}
	f := strings.Fields(conv)
	if len(f) != 7 || f[6] != "GMAC/s" {
		t.Fatalf("CONV_2D line %q; want type, count, ms, share and a GMAC/s rate\n%s", conv, out)
	}
	if v, err := strconv.ParseFloat(f[5], 64); err != nil || !(v > 0) {
		t.Errorf("CONV_2D rate %q: want a positive number", f[5])
	}
}

// TestBenchLayers checks `fovea bench --layers N`: a header and the N
// slowest operators, slowest first, each with its index, type, time and
// shapes.
func TestBenchLayers(t *testing.T) {
	const model = "../../testdata/models/shapes.tflite"
	out, stderr, err := fovea(t, "bench", "--model", model, "--runs", "2", "--warmup", "1", "--layers", "3")
	if err != nil {
		t.Fatalf("fovea bench --layers: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "slowest 3 of ") })
	if i < 0 || len(lines) != i+4 {
		t.Fatalf("output %q; want a 'slowest 3 of N operators' header and 3 lines", out)
	}
	prev := math.Inf(1)
	for _, l := range lines[i+1:] {
		f := strings.Fields(l)
		if len(f) < 6 || !strings.HasPrefix(f[0], "#") || f[3] != "ms" || !strings.Contains(l, " in [") || !strings.Contains(l, " out [") {
			t.Fatalf("layer line %q; want #index, type, ms, share and the in/out shapes", l)
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil || v > prev {
			t.Errorf("layer line %q: time %q not a number in descending order", l, f[2])
		}
		prev = v
	}
}
