package tflite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

// TestFloatPathsSameBytes runs each float32 golden model on every kernel
// path this machine has, with 1 and 2 threads, and checks that every
// output is byte-identical to the generic path's: the float SIMD kernels
// keep the generic path's arithmetic (the goldens allow 1e-5).
func TestFloatPathsSameBytes(t *testing.T) {
	dir, cases := goldenCases(t)
	paths := kernels.Available()
	if len(paths) < 2 {
		t.Skip("only the generic path is available here")
	}
	prev := kernels.Active()
	defer func() {
		if err := kernels.SetPath(prev); err != nil {
			t.Fatal(err)
		}
	}()
	seen := map[string]bool{}
	for _, c := range cases {
		if c.outDType != "float32" || seen[c.model] {
			continue
		}
		seen[c.model] = true
		t.Run(strings.TrimSuffix(filepath.Base(c.model), ".tflite"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, c.model))
			if err != nil {
				t.Fatal(err)
			}
			in, err := os.ReadFile(filepath.Join(dir, c.input))
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			for _, path := range paths {
				if err := kernels.SetPath(path); err != nil {
					t.Fatal(err)
				}
				m, err := Load(data, infer.LoadOptions{Name: c.name}) // packs for path
				if err != nil {
					t.Fatal(err)
				}
				for _, threads := range []int{1, 2} {
					got := runFloatOnce(t, m, in, threads)
					if want == nil {
						want = got
						continue
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%v, %d threads: output differs from generic, 1 thread: %s", path, threads, compareTol(infer.Float32, got, want, true))
					}
				}
			}
		})
	}
	if len(seen) == 0 {
		t.Skip("cases.tsv lists no float32 model")
	}
}

func runFloatOnce(t *testing.T, m *Model, in []byte, threads int) []byte {
	t.Helper()
	it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	copy(it.Inputs()[0].Data, in)
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(it.Outputs()[0].Data)
}
