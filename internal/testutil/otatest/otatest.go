// Package otatest makes real model bundles for the firmware tests: the
// demo shapes model from testdata/models, test images rendered by the
// shapes scene, and fresh Ed25519 keys.
package otatest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/sign"
	_ "github.com/fovea-edge/fovea/infer/tflite" // the engine Create runs the model with
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// ShapesLabels are the demo model's classes in output order.
var ShapesLabels = []string{"empty", "circle", "square", "triangle", "star"}

// ModelPath returns testdata/models/shapes.tflite of the module.
func ModelPath(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "models", "shapes.tflite")
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("module root not found")
		}
	}
}

// Key returns a new key pair.
func Key(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := sign.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

// Images renders n demo frames of side size as PNG test inputs.
func Images(t testing.TB, n, size int, seed uint64) []bundle.TestImage {
	t.Helper()
	sc := shapes.Scene{Size: size, Seed: seed}
	var out []bundle.TestImage
	for i := range n {
		var b bytes.Buffer
		if err := png.Encode(&b, sc.Render(uint64(i), false).Image); err != nil {
			t.Fatal(err)
		}
		out = append(out, bundle.TestImage{Name: "frame.png", Data: b.Bytes()})
	}
	return out
}

// Spec is a bundle spec of the shapes model at version.
func Spec(t testing.TB, version string) bundle.Spec {
	t.Helper()
	model, err := os.ReadFile(ModelPath(t))
	if err != nil {
		t.Fatal(err)
	}
	return bundle.Spec{
		Name:    "shapes",
		Version: version,
		Model:   model,
		Labels:  ShapesLabels,
		Tests:   Images(t, 3, 80, 7),
		Created: time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC),
		Prov: bundle.Provenance{
			TrainingData: "synthetic:shapes seed=1",
			CodeRevision: "test",
			Eval:         json.RawMessage(`{"top1":0.97,"n":1000}`),
		},
	}
}

// Write creates the bundle of spec signed with priv in dir and returns its
// path.
func Write(t testing.TB, dir string, spec bundle.Spec, priv ed25519.PrivateKey) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := bundle.Create(context.Background(), &b, spec, priv); err != nil {
		t.Fatalf("bundle.Create: %v", err)
	}
	p := filepath.Join(dir, spec.Name+"-"+spec.Version+".fovea")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Shapes writes a bundle of the shapes model at version.
func Shapes(t testing.TB, dir string, priv ed25519.PrivateKey, version string) string {
	t.Helper()
	return Write(t, dir, Spec(t, version), priv)
}

// Shuffled is Spec with the labels rotated by one: a model that loads,
// passes its own test vectors (made with the same wrong labels), and is
// wrong about every frame.
func Shuffled(t testing.TB, version string) bundle.Spec {
	t.Helper()
	s := Spec(t, version)
	s.Labels = append(append([]string(nil), ShapesLabels[1:]...), ShapesLabels[0])
	return s
}
