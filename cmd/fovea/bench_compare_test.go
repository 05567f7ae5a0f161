package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// compareOut is the part of `run.js --json` (make bench-compare) the test
// reads.
type compareOut struct {
	Env struct {
		Kernels []string `json:"kernels"`
	} `json:"env"`
	Results []struct {
		Model   string             `json:"model"`
		Threads int                `json:"threads"`
		WasmMS  float64            `json:"wasm_ms"`
		FoveaMS map[string]float64 `json:"fovea_ms"`
		Ratio   map[string]float64 `json:"ratio"`
		Check   *struct {
			Cases     int     `json:"cases"`
			Top1Agree int     `json:"top1_agree"`
			MaxDiff   float64 `json:"max_diff"`
			PerCase   []struct {
				Case      string  `json:"case"`
				MaxDiff   float64 `json:"max_diff"`
				Top1Wasm  int     `json:"top1_wasm"`
				Top1Fovea int     `json:"top1_fovea"`
			} `json:"per_case"`
		} `json:"check"`
	} `json:"results"`
}

// goldenCase is the part of a golden/cases.tsv row the test compares with.
type goldenCase struct {
	top1        int
	xnnpackDiff float64
}

func readGoldenCases(t *testing.T, path string) map[string]goldenCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes = '\t', true
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("reading %s: %v (%d rows)", path, err, len(rows))
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("%s has no column %q", path, name)
		}
		return i
	}
	ci, ti, xi := col("case"), col("top1_index"), col("xnnpack_max_abs_diff")
	out := map[string]goldenCase{}
	for _, row := range rows[1:] {
		top1, err1 := strconv.Atoi(row[ti])
		diff, err2 := strconv.ParseFloat(row[xi], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s, case %s: top1_index %q, xnnpack_max_abs_diff %q", path, row[ci], row[ti], row[xi])
		}
		out[row[ci]] = goldenCase{top1, diff}
	}
	return out
}

// TestBenchCompare runs the make bench-compare script briefly on three
// small golden models against TFLite compiled to WebAssembly (which runs
// XNNPACK): its output must parse, carry a time for TFLite-wasm and every
// kernel path, and on every golden input both runtimes must pick the
// golden top-1 class. For the quantized models the largest output
// difference must equal the golden's xnnpack_max_abs_diff (native XNNPACK
// against TFLite's built-in kernels, whose bytes Fovea reproduces): the
// wasm build rounds as native XNNPACK does.
func TestBenchCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short: runs three models in node and in fovea")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed (apt-get install nodejs npm; make tfjs)")
	}
	pkg := os.Getenv("FOVEA_TFJS")
	if pkg == "" {
		pkg = filepath.Join("..", "..", ".tfjs")
	}
	pkg, err = filepath.Abs(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(pkg, "node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd.wasm")); err != nil {
		t.Skipf("skipping: @tensorflow/tfjs-tflite is not installed in %s (run make tfjs, or set FOVEA_TFJS)", pkg)
	}
	golden := sharedtest.Dir(t, "golden")
	cases := readGoldenCases(t, filepath.Join(golden, "cases.tsv"))
	models := map[string]bool{ // name: quantized
		"mobilenet_v1_0.25_128_quant":       true,
		"vww_96_int8":                       true,
		"mobilenet_v1_0.25_224_1_default_1": false,
	}
	var paths []string
	for m := range models {
		paths = append(paths, filepath.Join(golden, "models", m+".tflite"))
	}
	slices.Sort(paths)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, "../../infer/tflite/benchcmp/run.js", "--fovea", foveaBin, "--tfjs", pkg,
		"--shared", filepath.Dir(golden), "--models", strings.Join(paths, ","), "--threads", "1",
		"--runs", "2", "--warmup", "1", "--rounds", "1", "--cases", "5", "--json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node run.js: %v\n%s", err, stderr.String())
	}
	var out compareOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("run.js --json output does not parse: %v\n%s", err, stdout.String())
	}
	if len(out.Env.Kernels) == 0 || !slices.Contains(out.Env.Kernels, "generic") {
		t.Fatalf("kernel paths timed: %q; want every available one, generic included", out.Env.Kernels)
	}
	if len(out.Results) != len(models) {
		t.Fatalf("%d result rows; want one per model (%d)", len(out.Results), len(models))
	}
	for _, r := range out.Results {
		quant, ok := models[r.Model]
		if !ok || r.Threads != 1 {
			t.Errorf("unexpected row: model %q threads %d", r.Model, r.Threads)
			continue
		}
		if !(r.WasmMS > 0) {
			t.Errorf("%s: TFLite-wasm time %v ms", r.Model, r.WasmMS)
		}
		for _, p := range out.Env.Kernels {
			ms, ratio := r.FoveaMS[p], r.Ratio[p]
			if !(ms > 0) || math.Abs(ratio-ms/r.WasmMS) > 1e-9*ratio {
				t.Errorf("%s, kernels %s: %v ms, ratio %v; want a time and time/%v", r.Model, p, ms, ratio, r.WasmMS)
			}
		}
		if r.Check == nil || r.Check.Cases != 5 || len(r.Check.PerCase) != 5 {
			t.Errorf("%s: check %+v; want 5 golden cases compared", r.Model, r.Check)
			continue
		}
		if r.Check.Top1Agree != r.Check.Cases {
			t.Errorf("%s: top-1 agrees on %d of %d cases", r.Model, r.Check.Top1Agree, r.Check.Cases)
		}
		for _, c := range r.Check.PerCase {
			g, ok := cases[c.Case]
			if !ok {
				t.Errorf("case %s is not in cases.tsv", c.Case)
				continue
			}
			if c.Top1Wasm != g.top1 || c.Top1Fovea != g.top1 {
				t.Errorf("%s: top-1 TFLite-wasm %d, Fovea %d; golden %d", c.Case, c.Top1Wasm, c.Top1Fovea, g.top1)
			}
			// Float sums run in other orders in each runtime; the
			// outputs are probabilities.
			if quant && c.MaxDiff != g.xnnpackDiff || !quant && c.MaxDiff > 1e-4 {
				t.Errorf("%s: max |TFLite-wasm − Fovea| = %v; golden xnnpack_max_abs_diff %v", c.Case, c.MaxDiff, g.xnnpackDiff)
			}
		}
	}
}
