package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckedInFilesAreCurrent: the arm64 assembly in the kernels package
// is exactly what this generator writes (go generate ./infer/tflite/kernels
// rewrites it), so reviewing the generator reviews the WORDs.
func TestCheckedInFilesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file  string
		write func(string)
	}{
		{"gemm_neon_arm64.s", writeGemm},
		{"depthwise_neon_arm64.s", writeDepthwise},
		{"add_neon_arm64.s", writeAdd},
		{"float_neon_arm64.s", func(out string) {
			if err := os.WriteFile(out, floatFile(), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		out := filepath.Join(dir, c.file)
		c.write(out)
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go generate ./infer/tflite/kernels", c.file)
		}
	}
}
