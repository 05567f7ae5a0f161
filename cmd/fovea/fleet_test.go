package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// TestFleetCLI runs two `fovea run` devices against a real mosquitto and
// rolls a bundle out to them with `fovea fleet deploy`, then reads the
// result with `fovea fleet status`.
func TestFleetCLI(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	dir := t.TempDir()
	if _, _, err := fovea(t, "keygen", "-o", filepath.Join(dir, "ops")); err != nil {
		t.Fatal(err)
	}
	pub, err := sign.LoadPublic(filepath.Join(dir, "ops.pub"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := sign.LoadPrivate(filepath.Join(dir, "ops.key"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: cli-%d
data_dir: %q
cameras: [{id: c, uri: "synthetic:seed=%d&size=64&fps=30"}]
model: {path: ../../testdata/models/shapes.tflite}
http: {listen: "off"}
log: {level: warn}
mqtt: {broker: %q}
ota:
  trusted_keys: [%q]
  group: cli
  gates: {shadow_frames: 20, probation_frames: 20, min_frames: 10, max_latency_ratio: 1000}
`, i, filepath.Join(dir, fmt.Sprint("state", i)), i+1, broker.URL(), sign.Inline(pub)))
		cmd := exec.Command(foveaBin, "run", "--config", cfg)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if t.Failed() {
				t.Logf("device %d:\n%s", i, stderr.String())
			}
		})
	}
	b := otatest.Shapes(t, dir, priv, "1.4.0")
	// Wait until both devices retained their status.
	deadline := time.Now().Add(time.Minute)
	for {
		out, _, _ := fovea(t, "fleet", "status", "--broker", broker.URL(), "--group", "cli", "--wait", "500ms")
		if strings.Count(out, "cli-") == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("devices did not report:\n%s", out)
		}
	}
	out, stderr, err := fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--group", "cli", "--bundle", b, "--url", "file://"+b,
		"--key", filepath.Join(dir, "ops.key"), "--stages", "1,100%", "--gate", "min_agreement=0.9", "--discover", "1s", "--stage-timeout", "2m")
	if err != nil || !strings.Contains(out, "done: shapes 1.4.0") || !strings.Contains(out, "stage 2/2 100%") {
		t.Fatalf("fleet deploy: %v\n%s%s", err, out, stderr)
	}
	t.Logf("fleet deploy:\n%s", out)
	out, _, err = fovea(t, "fleet", "status", "--broker", broker.URL(), "--group", "cli")
	if err != nil || strings.Count(out, "committed") < 2 || !strings.Contains(out, "rollout: shapes 1.4.0, done") {
		t.Fatalf("fleet status: %v\n%s", err, out)
	}
	// 1.5.0 in chunks over MQTT, served by the command itself.
	b2 := otatest.Shapes(t, dir, priv, "1.5.0")
	out, stderr, err = fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--group", "cli", "--bundle", b2, "--transfer", "shapes-1.5.0",
		"--key", filepath.Join(dir, "ops.key"), "--stages", "100%", "--discover", "1s", "--stage-timeout", "2m")
	if err != nil || !strings.Contains(out, "done: shapes 1.5.0") {
		t.Fatalf("fleet deploy --transfer: %v\n%s%s", err, out, stderr)
	}
	if _, stderr, err := fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--group", "cli", "--bundle", b, "--url", "file://"+b,
		"--key", filepath.Join(dir, "ops.key"), "--gate", "min_agremeent=0.9"); err == nil || !strings.Contains(stderr, "min_agremeent") {
		t.Errorf("misspelt gate: %v %s", err, stderr)
	}
}
