package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// TestModelVersionsCLI installs two versions into a data directory and
// drives `fovea model list|activate|rollback` on it.
func TestModelVersionsCLI(t *testing.T) {
	pub, priv := otatest.Key(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "state")
	s, err := store.Open(data, sign.NewTrust(pub), bundle.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, err := s.Install(otatest.Shapes(t, dir, priv, v)); err != nil {
			t.Fatal(err)
		}
	}
	cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: cli
data_dir: %q
cameras: [{id: c, uri: "synthetic:seed=1"}]
model: {path: ../../testdata/models/shapes.tflite}
ota: {trusted_keys: [%q]}
`, data, sign.Inline(pub)))
	out, stderr, err := fovea(t, "model", "list", "--config", cfg)
	if err != nil || !strings.Contains(out, "1.1.0") || !strings.Contains(out, "active: the configured model.path") {
		t.Fatalf("model list: %v\n%s%s", err, out, stderr)
	}
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, stderr, err := fovea(t, "model", "activate", v, "--config", cfg); err != nil {
			t.Fatalf("model activate %s: %v %s", v, err, stderr)
		}
	}
	out, _, _ = fovea(t, "model", "list", "--config", cfg)
	if !strings.Contains(out, "active") || !strings.Contains(out, "previous") {
		t.Errorf("model list after two activations:\n%s", out)
	}
	if out, stderr, err := fovea(t, "model", "rollback", "--config", cfg); err != nil || !strings.Contains(out, "active: 1.0.0, was 1.1.0") {
		t.Fatalf("model rollback: %v\n%s%s", err, out, stderr)
	}
	if a, _, _ := s.Pointers(); a != "1.0.0" {
		t.Errorf("active after rollback %q", a)
	}
	if _, stderr, err := fovea(t, "model", "activate", "7.0.0", "--config", cfg); err == nil || !strings.Contains(stderr, "not installed") {
		t.Errorf("activate of a missing version: %v %s", err, stderr)
	}
	// A damaged version is not listed and cannot be activated.
	os.WriteFile(filepath.Join(data, "models", "1.1.0", "labels.txt"), []byte("x\n"), 0o644)
	if _, stderr, err := fovea(t, "model", "activate", "1.1.0", "--config", cfg); err == nil || !strings.Contains(stderr, "do not match") {
		t.Errorf("activate of a damaged version: %v %s", err, stderr)
	}
}
