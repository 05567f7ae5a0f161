package tflite

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

const shapesModel = "../../testdata/models/shapes.tflite"

func loadShapes(t testing.TB) *Model {
	t.Helper()
	data, err := os.ReadFile(shapesModel)
	if err != nil {
		t.Fatalf("read the demo model (regenerate it with: go run ./cmd/fovea train-demo --out testdata/models/shapes.tflite): %v", err)
	}
	m, err := Load(data, infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func tensorIndex(t testing.TB, m *Model, name string) int {
	t.Helper()
	for i := range m.tensors {
		if m.tensors[i].name == name {
			return i
		}
	}
	t.Fatalf("no tensor %q", name)
	return -1
}

// TestKeepPreservesIntermediate checks that a kept tensor holds, after
// Invoke, exactly the bytes its operator wrote, although the arena plan lets
// later operators reuse its memory, and that keeping changes no output.
func TestKeepPreservesIntermediate(t *testing.T) {
	m := loadShapes(t)
	names := []string{"pool", "conv2/relu", "conv3/relu"}
	kept, err := m.NewGoInterpreter(infer.InterpreterOptions{Keep: names})
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	plain, err := m.NewGoInterpreter(infer.InterpreterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	// The plan must really reuse some kept tensor's bytes, or this test
	// proves nothing.
	reused := false
	for _, name := range names {
		ti := &m.tensors[tensorIndex(t, m, name)]
		for j := range m.tensors {
			o := &m.tensors[j]
			if o.offset >= 0 && o.first > ti.last && o.offset < ti.offset+ti.bytes && ti.offset < o.offset+o.bytes {
				reused = true
			}
		}
	}
	if !reused {
		t.Fatal("no kept tensor's arena bytes are reused later; pick other tensors")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for trial := range 5 {
		in := kept.Inputs()[0].Data
		for i := range in {
			in[i] = byte(rng.IntN(256))
		}
		copy(plain.Inputs()[0].Data, in)
		// Ground truth: run the plain interpreter operator by operator and
		// copy each named tensor right after the operator that writes it.
		want := map[string][]byte{}
		for oi := range m.ops {
			m.ops[oi].k.run(&plain.x)
			for _, name := range names {
				if idx := tensorIndex(t, m, name); m.ops[oi].outputs[0] == idx {
					want[name] = bytes.Clone(plain.tensorBytes(idx))
				}
			}
		}
		if err := kept.Invoke(ctx); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			got, ok := kept.Tensor(name)
			if !ok {
				t.Fatalf("Tensor(%q) not found", name)
			}
			if !bytes.Equal(got.Data, want[name]) {
				t.Errorf("trial %d: kept %q differs from the value its operator wrote", trial, name)
			}
		}
		if !bytes.Equal(kept.Outputs()[0].Data, plain.Outputs()[0].Data) {
			t.Errorf("trial %d: output with Keep %x; without %x", trial, kept.Outputs()[0].Data, plain.Outputs()[0].Data)
		}
	}
	pool, _ := kept.Tensor("pool")
	if pool.Type != infer.Int8 || len(pool.Shape) != 4 || !pool.Quant.Quantized() {
		t.Errorf("pool tensor info = %+v; want quantized int8 [1,1,1,F]", pool.TensorInfo)
	}
	if out, ok := kept.Tensor("probabilities"); !ok || out != kept.Outputs()[0] {
		t.Errorf("Tensor(output name) = %v, %v; want the output tensor", out, ok)
	}
	if _, ok := kept.Tensor("nonexistent"); ok {
		t.Error("Tensor(nonexistent) found")
	}
	if n := testing.AllocsPerRun(20, func() {
		_ = kept.Invoke(ctx)
		_, _ = kept.Tensor("pool")
	}); n != 0 {
		t.Errorf("Invoke+Tensor with Keep allocates %v times; want 0", n)
	}
}

func TestKeepRejects(t *testing.T) {
	m := loadShapes(t)
	for _, tc := range []struct{ name, keep, want string }{
		{"unknown", "penultimate", "no tensor of that name"},
		{"constant", "fc/weights", "constant or never computed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.NewGoInterpreter(infer.InterpreterOptions{Keep: []string{tc.keep}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewGoInterpreter(Keep %q) = %v; want an error containing %q", tc.keep, err, tc.want)
			}
		})
	}
}
