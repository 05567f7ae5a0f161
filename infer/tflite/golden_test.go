package tflite

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// goldenCase is one row of golden/cases.tsv.
type goldenCase struct {
	name, model, input, expected string
	outDType, outShape           string
}

func goldenCases(t testing.TB) (string, []goldenCase) {
	dir := sharedtest.Dir(t, "golden")
	var cs []goldenCase
	for _, r := range sharedtest.ReadTSV(t, filepath.Join(dir, "cases.tsv")) {
		cs = append(cs, goldenCase{name: r["case"], model: r["model"], input: r["input"], expected: r["expected"], outDType: r["out_dtype"], outShape: r["out_shape"]})
	}
	return dir, cs
}

// modelCache loads each golden model once per test binary.
var modelCache = map[string]*Model{}

func loadGolden(t testing.TB, dir, rel string) *Model {
	t.Helper()
	if m, ok := modelCache[rel]; ok {
		return m
	}
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(data, infer.LoadOptions{Name: strings.TrimSuffix(filepath.Base(rel), ".tflite")})
	if err != nil {
		t.Fatalf("Load(%q) = %v", rel, err)
	}
	modelCache[rel] = m
	return m
}

func shapeText(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "x")
}

// compareBytes compares a tensor's bytes with the golden rule: byte-exact
// for 8-bit types, max abs error ≤ 1e-5 for float32. It returns a
// description of the difference, or "".
func compareBytes(dt infer.DType, got, want []byte) string {
	return compareTol(dt, got, want, false)
}

// compareTol is compareBytes; with relative set, float32 errors are
// measured relative to max(1, |want|) (intermediate float tensors range
// far beyond the [0, 1] of a classifier's output).
func compareTol(dt infer.DType, got, want []byte, relative bool) string {
	if len(got) != len(want) {
		return fmt.Sprintf("size %d bytes, want %d", len(got), len(want))
	}
	if dt == infer.Float32 {
		worst, at := 0.0, -1
		for i := 0; i+4 <= len(got); i += 4 {
			g := math.Float32frombits(binary.LittleEndian.Uint32(got[i:]))
			w := math.Float32frombits(binary.LittleEndian.Uint32(want[i:]))
			d := math.Abs(float64(g) - float64(w))
			if relative {
				d /= max(1, math.Abs(float64(w)))
			}
			if d > worst || math.IsNaN(d) {
				worst, at = d, i/4
			}
		}
		if worst > 1e-5 {
			return fmt.Sprintf("max abs error %g at element %d", worst, at)
		}
		return ""
	}
	ndiff, maxd, first := 0, 0, -1
	for i := range got {
		if got[i] != want[i] {
			g, w := int(got[i]), int(want[i])
			if dt == infer.Int8 {
				g, w = int(int8(got[i])), int(int8(want[i]))
			}
			d := max(g-w, w-g)
			if first < 0 {
				first = i
			}
			ndiff++
			maxd = max(maxd, d)
		}
	}
	if ndiff > 0 {
		return fmt.Sprintf("%d of %d elements differ (max %d steps, first at %d)", ndiff, len(got), maxd, first)
	}
	return ""
}

func TestGolden(t *testing.T) {
	dir, cases := goldenCases(t)
	if len(cases) == 0 {
		t.Fatal("cases.tsv lists no cases")
	}
	for _, c := range cases {
		// Quantized outputs must not depend on the worker count (TFLite's
		// do not); float ones are tied to 1 thread like the goldens.
		threads := []int{1}
		if c.outDType != "float32" {
			threads = append(threads, 2)
		}
		for _, n := range threads {
			name := c.name
			if n > 1 {
				name += fmt.Sprintf("/threads=%d", n)
			}
			t.Run(name, func(t *testing.T) { runGoldenCase(t, dir, c, n) })
		}
	}
}

func runGoldenCase(t *testing.T, dir string, c goldenCase, threads int) {
	m := loadGolden(t, dir, c.model)
	if testing.Short() && m.Info().MACs > 100e6 {
		t.Skipf("-short: %s has %d M MACs; the full run covers it", filepath.Base(c.model), m.Info().MACs/1e6)
	}
	it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	in, err := os.ReadFile(filepath.Join(dir, c.input))
	if err != nil {
		t.Fatal(err)
	}
	if len(in) != len(it.Inputs()[0].Data) {
		t.Fatalf("input %s is %d bytes; the model's input 0 takes %d", c.input, len(in), len(it.Inputs()[0].Data))
	}
	copy(it.Inputs()[0].Data, in)
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := it.Outputs()[0]
	if got := out.Type.String(); got != c.outDType {
		t.Errorf("output dtype %s; want %s", got, c.outDType)
	}
	if got := shapeText(out.Shape); got != c.outShape {
		t.Errorf("output shape %s; want %s", got, c.outShape)
	}
	want, err := os.ReadFile(filepath.Join(dir, c.expected))
	if err != nil {
		t.Fatal(err)
	}
	if d := compareBytes(out.Type, out.Data, want); d != "" {
		t.Errorf("output differs from %s: %s", c.expected, d)
	}
}

// TestGoldenLayers runs the cases with per-tensor dumps and reports the
// first tensor, in operator order, that differs from TFLite's.
func TestGoldenLayers(t *testing.T) {
	dir := sharedtest.Dir(t, "golden", "layers")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, cases := goldenCases(t)
	byName := map[string]goldenCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	gdir := filepath.Dir(dir)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, ok := byName[e.Name()]
		if !ok {
			t.Errorf("layers/%s has no row in cases.tsv", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			m := loadGolden(t, gdir, c.model)
			it, err := m.NewGoInterpreter(infer.InterpreterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			rows := sharedtest.ReadTSV(t, filepath.Join(dir, e.Name(), "index.tsv"))
			// The graph input comes from the dump (op_index -1).
			for _, r := range rows {
				if r["op_index"] == "-1" {
					var ti int
					fmt.Sscan(r["tensor"], &ti)
					b, err := os.ReadFile(filepath.Join(dir, e.Name(), r["file"]))
					if err != nil {
						t.Fatal(err)
					}
					copy(it.tensorBytes(ti), b)
				}
			}
			// Run operator by operator so that every intermediate tensor
			// can be checked before the arena reuses its memory.
			for oi := range m.ops {
				m.ops[oi].k.run(&it.x)
				for _, r := range rows {
					if r["op_index"] != fmt.Sprint(oi) {
						continue
					}
					var ti int
					fmt.Sscan(r["tensor"], &ti)
					want, err := os.ReadFile(filepath.Join(dir, e.Name(), r["file"]))
					if err != nil {
						t.Fatal(err)
					}
					dt := m.tensors[ti].dtype
					if d := compareTol(dt, it.tensorBytes(ti), want, true); d != "" {
						t.Fatalf("first difference: operator %d (%s), tensor %d %q %s%s: %s", oi, r["op"], ti, r["name"], dt, shapeString(m.tensors[ti].shape), d)
					}
				}
			}
		})
	}
}
