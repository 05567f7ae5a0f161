package bundle

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"image/png"
	"io"
	"os"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/sign"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

const shapesModel = "../../testdata/models/shapes.tflite"

func testKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := sign.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// shapesPNGs renders n frames of the demo scene at 80×80 (so the
// classifier resizes them) as PNG test inputs.
func shapesPNGs(t testing.TB, n int) []TestImage {
	t.Helper()
	sc := shapes.Scene{Size: 80, Seed: 7}
	var out []TestImage
	for i := range n {
		var b bytes.Buffer
		if err := png.Encode(&b, sc.Render(uint64(i), false).Image); err != nil {
			t.Fatal(err)
		}
		out = append(out, TestImage{Name: "frame.png", Data: b.Bytes()})
	}
	return out
}

func shapesSpec(t testing.TB, version string) Spec {
	t.Helper()
	model, err := os.ReadFile(shapesModel)
	if err != nil {
		t.Fatal(err)
	}
	return Spec{
		Name:    "shapes",
		Version: version,
		Model:   model,
		Tests:   shapesPNGs(t, 3),
		Created: time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC),
		Prov: Provenance{
			TrainingData: "synthetic:shapes seed=1",
			CodeRevision: "d6dcd06",
			Eval:         json.RawMessage(`{"top1":0.97,"top5":1,"ece":0.02,"n":1000}`),
		},
		Notes: "test bundle",
	}
}

// makeBundle creates a bundle of the shapes model.
func makeBundle(t testing.TB, priv ed25519.PrivateKey, version string) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Create(context.Background(), &b, shapesSpec(t, version), priv); err != nil {
		t.Fatalf("Create: %v", err)
	}
	return b.Bytes()
}

// parts splits a bundle into its manifest, signature and members, for
// tests that reassemble altered bundles.
func parts(t testing.TB, b []byte) (*Manifest, []member) {
	t.Helper()
	var members []member
	s := &memSink{out: &members}
	v, err := read(bytes.NewReader(b), nil, Limits{}, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.Manifest, members
}

type memSink struct {
	out *[]member
	buf bytes.Buffer
}

func (s *memSink) open(File) (io.Writer, error) { s.buf.Reset(); return &s.buf, nil }

func (s *memSink) done(f File, ok bool) error {
	*s.out = append(*s.out, member{f.Name, bytes.Clone(s.buf.Bytes())})
	return nil
}

// resign encodes m, signs it with priv and writes a bundle of members.
func resign(t testing.TB, priv ed25519.PrivateKey, m *Manifest, members []member) []byte {
	t.Helper()
	mb, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return resignBytes(t, priv, mb, members)
}

func resignBytes(t testing.TB, priv ed25519.PrivateKey, mb []byte, members []member) []byte {
	t.Helper()
	sig, _ := sign.Sign(priv, sign.PurposeManifest, mb)
	var b bytes.Buffer
	if err := writeBundle(&b, mb, sig, members); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
