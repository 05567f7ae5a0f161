package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// TestBundleCLI runs keygen, bundle create, verify and inspect end to end
// with the demo model and a tampered copy.
func TestBundleCLI(t *testing.T) {
	dir := t.TempDir()
	tests := filepath.Join(dir, "tests")
	os.Mkdir(tests, 0o755)
	sc := shapes.Scene{Size: 96, Seed: 11}
	for i := range 3 {
		var b bytes.Buffer
		png.Encode(&b, sc.Render(uint64(i), false).Image)
		os.WriteFile(filepath.Join(tests, "f"+string(rune('0'+i))+".png"), b.Bytes(), 0o644)
	}
	eval := filepath.Join(dir, "eval.json")
	os.WriteFile(eval, []byte(`{"top1": 0.97, "top5": 1, "ece": 0.02, "n": 1000}`), 0o644)
	ops, other := filepath.Join(dir, "ops"), filepath.Join(dir, "other")
	for _, k := range []string{ops, other} {
		if out, stderr, err := fovea(t, "keygen", "-o", k); err != nil || !strings.Contains(out, "key id:") {
			t.Fatalf("keygen: %v %s %s", err, out, stderr)
		}
	}
	if _, _, err := fovea(t, "keygen", "-o", ops); err == nil {
		t.Error("keygen overwrote an existing key")
	}
	b := filepath.Join(dir, "shapes-1.2.0.fovea")
	out, stderr, err := fovea(t, "bundle", "create", "--model", "../../testdata/models/shapes.tflite", "--version", "1.2.0",
		"--key", ops+".key", "--tests", tests, "--eval", eval, "--training-data", "synthetic seed=1", "-o", b)
	if err != nil || !strings.Contains(out, "3 test vectors") {
		t.Fatalf("bundle create: %v\n%s%s", err, out, stderr)
	}
	if out, stderr, err := fovea(t, "bundle", "verify", b, "--pub", ops+".pub"); err != nil || !strings.HasPrefix(out, "OK: shapes 1.2.0") {
		t.Fatalf("bundle verify: %v\n%s%s", err, out, stderr)
	}
	// Key rotation: the old and the new key listed, either signs.
	if _, _, err := fovea(t, "bundle", "verify", b, "--pub", other+".pub", "--pub", ops+".pub"); err != nil {
		t.Errorf("verify with two trusted keys: %v", err)
	}
	if _, stderr, err := fovea(t, "bundle", "verify", b, "--pub", other+".pub"); err == nil || !strings.Contains(stderr, "not in ota.trusted_keys") {
		t.Errorf("verify with the wrong key: %v %s", err, stderr)
	}
	data, _ := os.ReadFile(b)
	data[len(data)-100] ^= 1
	bad := filepath.Join(dir, "bad.fovea")
	os.WriteFile(bad, data, 0o644)
	if _, stderr, err := fovea(t, "bundle", "verify", bad, "--pub", ops+".pub"); err == nil || !strings.Contains(stderr, "sha256 does not match") {
		t.Errorf("verify of a tampered bundle: %v %s", err, stderr)
	}
	out, _, err = fovea(t, "bundle", "inspect", b)
	if err != nil || !strings.Contains(out, "version:    1.2.0") || !strings.Contains(out, `"top1":0.97`) || !strings.Contains(out, "test-02.png") {
		t.Errorf("inspect: %v\n%s", err, out)
	}
	if _, stderr, err := fovea(t, "bundle", "inspect", bad); err == nil || !strings.Contains(stderr, "damaged") {
		t.Errorf("inspect of a tampered bundle: %v %s", err, stderr)
	}
}
