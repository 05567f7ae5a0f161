package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/agent/record"
)

// TestDemo runs what `make demo` runs, from the repository root, without
// ../shared: configs/demo.yaml (synthetic camera, committed shapes model),
// state in a temporary directory, and checks that every result carries
// its truth label and that the running accuracy on the undrifted scene is
// at least 95%.
func TestDemo(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "testdata", "models", "shapes.tflite")); err != nil {
		t.Skipf("skipping: the demo model testdata/models/shapes.tflite is not in this checkout (make models): %v", err)
	}
	const n = 300
	cmd := exec.Command(foveaBin, "run", "--config", "configs/demo.yaml", "--data", t.TempDir(), "--listen", "off", "--json", "--frames", strconv.Itoa(n))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "FOVEA_SHARED=/nonexistent") // the demo must not need ../shared
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fovea run --config configs/demo.yaml: %v\n%s", err, stderr.String())
	}
	var known, correct int
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var r record.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("demo printed %q: %v", sc.Text(), err)
		}
		if r.Truth == "" {
			t.Fatalf("demo result without a truth label: %s", sc.Text())
		}
		known++
		if r.Top[0].Label == r.Truth {
			correct++
		}
	}
	if known < n {
		t.Fatalf("demo printed %d results; want at least %d", known, n)
	}
	if acc := float64(correct) / float64(known); acc < 0.95 {
		t.Errorf("demo accuracy %.1f%% (%d/%d); want at least 95%% on the undrifted scene", 100*acc, correct, known)
	} else {
		t.Logf("demo accuracy %.1f%% (%d/%d)", 100*acc, correct, known)
	}
}
