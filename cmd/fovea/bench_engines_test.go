package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// TestBenchEngines times the demo model in the Go engine and, in builds
// with the tflite_c tag, in the TensorFlow Lite C library; without that
// engine it checks that asking for it is a clear error.
func TestBenchEngines(t *testing.T) {
	model := otatest.ModelPath(t)
	if !slices.Contains(infer.Engines(), "tflite_c") {
		_, err := benchEngines(context.Background(), []string{model}, []string{"go", "tflite_c"}, []int{1}, 1, 1, 1)
		if err == nil || !strings.Contains(err.Error(), `engine "tflite_c"`) || !strings.Contains(err.Error(), "available: go") || !strings.Contains(err.Error(), "-tags tflite_c") {
			t.Errorf("benchEngines without tflite_c = %v; want an error naming the engine and the available ones", err)
		}
		return
	}
	rows, err := benchEngines(context.Background(), []string{model}, []string{"go", "tflite_c"}, []int{1, 2}, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Threads != 1 || rows[1].Threads != 2 {
		t.Fatalf("rows = %+v; want one per thread count", rows)
	}
	for _, r := range rows {
		for _, e := range []string{"go", "tflite_c"} {
			if r.MS[e] <= 0 || r.Backend[e] == "" {
				t.Errorf("%s threads=%d %s: %.3f ms, backend %q", r.Model, r.Threads, e, r.MS[e], r.Backend[e])
			}
		}
	}
	var out bytes.Buffer
	printEngineRows(&out, []string{"go", "tflite_c"}, rows, 3, 2)
	if !strings.Contains(out.String(), "go/tflite_c") || strings.Count(out.String(), "\n") != 4 {
		t.Errorf("table:\n%s", out.String())
	}
}
