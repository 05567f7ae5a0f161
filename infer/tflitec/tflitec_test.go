//go:build tflite_c && cgo

package tflitec

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// run loads a golden case's model with engine, feeds its input and returns
// output 0.
func run(t *testing.T, dir, engine string, c map[string]string, threads int) (out []byte, xnnpack bool) {
	t.Helper()
	m, err := infer.Open(filepath.Join(dir, c["model"]), infer.LoadOptions{Engine: engine})
	if err != nil {
		t.Fatalf("%s: %v", c["case"], err)
	}
	it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		t.Fatalf("%s: %v", c["case"], err)
	}
	defer it.Close()
	in, err := os.ReadFile(filepath.Join(dir, c["input"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != len(it.Inputs()[0].Data) {
		t.Fatalf("%s: input file has %d bytes, tensor %d", c["case"], len(in), len(it.Inputs()[0].Data))
	}
	copy(it.Inputs()[0].Data, in)
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatalf("%s: %v", c["case"], err)
	}
	return bytes.Clone(it.Outputs()[0].Data), it.(*Interpreter).XNNPACK
}

// maxDiff is the largest difference between two outputs in raw units
// (quantized steps or float values), and the index of the largest value
// of got.
func maxDiff(dtype string, got, want []byte) (diff float64, top int) {
	n := len(got)
	val := func(b []byte, i int) float64 {
		switch dtype {
		case "uint8":
			return float64(b[i])
		case "int8":
			return float64(int8(b[i]))
		default:
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	}
	if dtype == "float32" {
		n /= 4
	}
	for i := range n {
		d := val(got, i) - val(want, i)
		diff = max(diff, d, -d)
		if val(got, i) > val(got, top) {
			top = i
		}
	}
	return diff, top
}

// TestGoldensBuiltin runs every golden case in the C library's built-in
// kernels (engine tflite_c_builtin). The goldens come from the built-in
// kernels of TensorFlow Lite 2.19; an older library's kernels round some
// layers differently, so outputs may differ by a few steps (2.9: up to 9
// of 256 on a softmax output, in 21 of 70 cases) and float by the sums'
// order, never more.
func TestGoldensBuiltin(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	cases := sharedtest.ReadTSV(t, filepath.Join(dir, "cases.tsv"))
	same, worst := 0, 0.0
	for _, c := range cases {
		got, xnn := run(t, dir, EngineName+"_builtin", c, 1)
		if xnn {
			t.Fatalf("%s: the built-in engine used XNNPACK", c["case"])
		}
		want, err := os.ReadFile(filepath.Join(dir, c["expected"]))
		if err != nil {
			t.Fatal(err)
		}
		d, _ := maxDiff(c["out_dtype"], got, want)
		if d == 0 {
			same++
		}
		worst = max(worst, d)
		if limit := stepLimit(c["out_dtype"]); d > limit {
			t.Errorf("%s: TFLite %s built-in kernels differ from the golden by %g (more than %g)", c["case"], Version(), d, limit)
		}
	}
	t.Logf("TFLite %s built-in kernels: %d of %d golden cases byte-identical to TFLite 2.19's, the rest within %g", Version(), same, len(cases), worst)
}

// stepLimit is how far two TFLite releases' outputs may be apart: a few
// quantized steps, or float rounding.
func stepLimit(dtype string) float64 {
	if dtype == "float32" {
		return 1e-4
	}
	return 12
}

// TestGoldensXNNPACK runs every golden case through the XNNPACK delegate
// (engine tflite_c), with 1 and 2 threads: its outputs may differ from the
// built-in kernels' by rounding, as the goldens record (checks.tsv
// xnnpack_max_abs_diff), but never in a photo's top-1 class where the
// goldens say XNNPACK keeps it.
func TestGoldensXNNPACK(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	checks := map[string]map[string]string{}
	for _, r := range sharedtest.ReadTSV(t, filepath.Join(dir, "checks.tsv")) {
		checks[r["case"]] = r
	}
	cases := sharedtest.ReadTSV(t, filepath.Join(dir, "cases.tsv"))
	same, delegated := 0, 0
	for _, c := range cases {
		want, err := os.ReadFile(filepath.Join(dir, c["expected"]))
		if err != nil {
			t.Fatal(err)
		}
		one, xnn := run(t, dir, EngineName, c, 1)
		if xnn {
			delegated++
		}
		if two, _ := run(t, dir, EngineName, c, 2); !bytes.Equal(one, two) {
			t.Errorf("%s: XNNPACK with 2 threads differs from 1 thread", c["case"])
		}
		d, top := maxDiff(c["out_dtype"], one, want)
		if d == 0 {
			same++
		}
		// Random inputs give near ties, which another release's rounding
		// may flip; a photo's top-1 must hold.
		photo := strings.HasPrefix(c["source"], "images/")
		if photo && checks[c["case"]]["xnnpack_top1_same"] == "yes" && strconv.Itoa(top) != c["top1_index"] {
			t.Errorf("%s: XNNPACK top-1 %d; golden %s (the golden run's XNNPACK kept it)", c["case"], top, c["top1_index"])
		}
		limit, _ := strconv.ParseFloat(c["xnnpack_max_abs_diff"], 64)
		if d > limit+stepLimit(c["out_dtype"]) {
			t.Errorf("%s: XNNPACK differs from the golden by %g; the golden run's XNNPACK by %g", c["case"], d, limit)
		}
	}
	t.Logf("TFLite %s: %d of %d golden cases ran in XNNPACK (the rest fell back to the built-in kernels); %d byte-identical to the goldens", Version(), delegated, len(cases), same)
	if delegated == 0 {
		t.Error("XNNPACK ran none of the golden models")
	}
}

// TestBadModels: every file in golden/bad is refused with an error, or
// (the model TFLite itself loads and fails to invoke) fails its Invoke;
// none crashes the process.
func TestBadModels(t *testing.T) {
	dir := sharedtest.Dir(t, "golden", "bad")
	for _, r := range sharedtest.ReadTSV(t, filepath.Join(dir, "bad.tsv")) {
		t.Run(r["file"], func(t *testing.T) {
			m, err := infer.Open(filepath.Join(dir, r["file"]), infer.LoadOptions{Engine: EngineName})
			if err != nil {
				if !errors.Is(err, infer.ErrMalformed) && !errors.Is(err, infer.ErrUnsupported) {
					t.Errorf("error %v is neither ErrMalformed nor ErrUnsupported", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			it, err := m.NewInterpreter(infer.InterpreterOptions{})
			if err != nil {
				t.Logf("refused: %v", err)
				return
			}
			defer it.Close()
			if err := it.Invoke(context.Background()); err == nil && !strings.Contains(r["expected_behaviour"], "accept") {
				t.Errorf("loaded and ran; bad.tsv expects: %s", r["expected_behaviour"])
			} else {
				t.Logf("invoke: %v", err)
			}
		})
	}
}

// TestInterpreterLifecycle: Keep is refused with a clear error, a
// cancelled context stops Invoke, Close is idempotent, and the model
// outlives closed interpreters.
func TestInterpreterLifecycle(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	m, err := infer.Open(filepath.Join(dir, "models", "mobilenet_v1_0.25_128_quant.tflite"), infer.LoadOptions{Engine: EngineName})
	if err != nil {
		t.Fatal(err)
	}
	info := m.Info()
	if len(info.Inputs) != 1 || info.Inputs[0].Type != infer.UInt8 || len(info.Inputs[0].Shape) != 4 || info.Inputs[0].Shape[1] != 128 || len(info.Ops) == 0 {
		t.Errorf("Info() = %+v", info)
	}
	if q := info.Inputs[0].Quant; len(q.Scale) != 1 || q.Scale[0] != 0.0078125 || q.ZeroPoint[0] != 128 {
		t.Errorf("input quantization %+v; want scale 0.0078125, zero point 128", q)
	}
	if _, err := m.NewInterpreter(infer.InterpreterOptions{Keep: []string{"x"}}); !errors.Is(err, infer.ErrUnsupported) {
		t.Errorf("Keep: %v; want ErrUnsupported", err)
	}
	for range 3 {
		it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := it.Invoke(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Invoke(cancelled) = %v", err)
		}
		if err := it.Invoke(context.Background()); err != nil {
			t.Error(err)
		}
		it.Close()
		it.Close()
		if err := it.Invoke(context.Background()); err == nil {
			t.Error("Invoke after Close succeeded")
		}
	}
}
