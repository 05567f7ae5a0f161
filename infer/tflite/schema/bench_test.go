package schema

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// The benchmarks load mobilenet_v2_1.0_224_quant (3.6 MB, 174 tensors, 66
// operators). BenchmarkSHA256 is the baseline: the loader hashes every
// model file anyway, so Parse and Validate are reported relative to it.
func benchModel(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(sharedtest.Dir(b, "golden", "models"), "mobilenet_v2_1.0_224_quant.tflite"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkSHA256(b *testing.B) {
	data := benchModel(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_ = infer.SHA256(data)
	}
}

func BenchmarkParse(b *testing.B) {
	data := benchModel(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseValidate(b *testing.B) {
	data := benchModel(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := load(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	data := benchModel(b)
	m, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}
