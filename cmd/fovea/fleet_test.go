package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// TestFleetCLI rolls bundles out to three real in-process agents with the
// fovea binary: `fleet status` lists them, `fleet deploy` commits a good
// bundle stage by stage and halts on a bad one with a non-zero exit and
// the reason, and a rerun of the halted rollout refuses to start again.
func TestFleetCLI(t *testing.T) {
	if mosquittotest.Binary() == "" {
		t.Skip("mosquitto not installed")
	}
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	dir := t.TempDir()
	if _, stderr, err := fovea(t, "keygen", "-o", filepath.Join(dir, "ops")); err != nil {
		t.Fatalf("keygen: %v %s", err, stderr)
	}
	pub, err := sign.LoadPublic(filepath.Join(dir, "ops.pub"))
	if err != nil {
		t.Fatal(err)
	}
	priv, err := sign.LoadPrivate(filepath.Join(dir, "ops.key"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	agents := startFleet(t, ctx, &wg, broker, 3, sign.Inline(pub), nil)
	defer func() { cancel(); wg.Wait() }()

	var out string
	deadline := time.Now().Add(time.Minute)
	for strings.Count(out, "sim-") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("fleet status never listed the 3 agents:\n%s", out)
		}
		out, _, _ = fovea(t, "fleet", "status", "--broker", broker.URL(), "--root", simRoot.Root, "--group", "sim")
	}
	if !strings.Contains(out, "online") || !strings.Contains(out, "idle") {
		t.Errorf("fleet status before the rollout:\n%s", out)
	}

	good := otatest.Shapes(t, dir, priv, "1.1.0")
	key := filepath.Join(dir, "ops.key")
	out, stderr, err := fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--root", simRoot.Root, "--group", "sim", "--bundle", good, "--key", key,
		"--url", "file://"+good, "--stages", "1,100%", "--gate", "min_agreement=0.9,max_failure_rate=0", "--timeout", "3m")
	if err != nil || !strings.Contains(out, "shapes 1.1.0 on group sim: done") || !strings.Contains(out, "stage 2/2 (100%): 2/2 committed") {
		t.Fatalf("fleet deploy: %v\n%s\n%s", err, out, stderr)
	}
	t.Logf("fleet deploy:\n%s", out)
	for _, s := range agents {
		if v := s.a.Models().Active().Ref.Version; v != "1.1.0" {
			t.Errorf("%s runs %q; want 1.1.0", s.id, v)
		}
	}
	out, _, err = fovea(t, "fleet", "status", "--broker", broker.URL(), "--root", simRoot.Root, "--group", "sim", "--json")
	var status struct {
		Devices []fleet.Device `json:"devices"`
		Rollout *fleet.State   `json:"rollout"`
	}
	if err != nil || json.Unmarshal([]byte(out), &status) != nil || len(status.Devices) != 3 || status.Rollout == nil || status.Rollout.Phase != fleet.Done {
		t.Fatalf("fleet status --json: %v\n%s", err, out)
	}
	for _, d := range status.Devices {
		if d.Version() != "1.1.0" || d.OTA.State != "committed" || !d.Online {
			t.Errorf("%s: %s %s online=%v", d.ID, d.Version(), d.OTA.State, d.Online)
		}
	}

	bad := otatest.Write(t, dir, otatest.Shuffled(t, "1.2.0"), priv)
	args := []string{"fleet", "deploy", "--broker", broker.URL(), "--root", simRoot.Root, "--group", "sim", "--bundle", bad, "--key", key,
		"--url", "file://" + bad, "--gate", "min_agreement=0.9", "--timeout", "3m"}
	out, stderr, err = fovea(t, args...)
	if err == nil || !strings.Contains(stderr, "rollout halted") || !strings.Contains(stderr, "agreement") {
		t.Fatalf("bad bundle: %v; want a halt with the reason\n%s\n%s", err, out, stderr)
	}
	t.Logf("bad bundle:\n%s%s", out, stderr)
	for _, s := range agents {
		if v := s.a.Models().Active().Ref.Version; v != "1.1.0" {
			t.Errorf("%s runs %q after the halt; want 1.1.0", s.id, v)
		}
	}
	if _, stderr, err = fovea(t, args...); err == nil || !strings.Contains(stderr, "halted earlier") {
		t.Errorf("rerun of the halted rollout: %v %s", err, stderr)
	}
	if _, stderr, err := fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--bundle", good, "--key", key, "--url", "file://"+good,
		"--gate", "min_agremeent=0.9"); err == nil || !strings.Contains(stderr, "min_agremeent") {
		t.Errorf("misspelt gate: %v %s", err, stderr)
	}
}

// TestFleetHaltRollsBackCommitted has one agent refuse the bundle (its
// disk reserve leaves no room) in the last stage: deploy halts and sends
// model/rollback to the agents that had committed it, which return to the
// model they ran before.
func TestFleetHaltRollsBackCommitted(t *testing.T) {
	if mosquittotest.Binary() == "" {
		t.Skip("mosquitto not installed")
	}
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	dir := t.TempDir()
	pub, priv := otatest.Key(t)
	keyPEM, err := sign.MarshalPrivate(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "ops.key")
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	agents := startFleet(t, ctx, &wg, broker, 3, sign.Inline(pub), func(i int) string {
		if i == 2 {
			return "1000000GiB" // no disk is that large: the download is refused
		}
		return "64MiB"
	})
	defer func() { cancel(); wg.Wait() }()
	configured := agents[0].a.Models().Active().Ref.Version
	waitStatus(t, broker.URL(), 3)

	b := otatest.Shapes(t, dir, priv, "1.1.0")
	out, stderr, err := fovea(t, "fleet", "deploy", "--broker", broker.URL(), "--root", simRoot.Root, "--group", "sim", "--bundle", b, "--key", key,
		"--url", "file://"+b, "--stages", "1,100%", "--gate", "min_agreement=0.9", "--timeout", "3m")
	if err == nil || !strings.Contains(stderr, "sim-02") || !strings.Contains(stderr, "free disk") || !strings.Contains(stderr, "sent model/rollback to") {
		t.Fatalf("fleet deploy: %v; want a halt naming sim-02's disk and the rollback\n%s\n%s", err, out, stderr)
	}
	t.Logf("halt:\n%s%s", out, stderr)
	for _, s := range agents {
		if v := s.a.Models().Active().Ref.Version; v != configured {
			t.Errorf("%s runs %q after the halt; want the configured %q", s.id, v, configured)
		}
	}
}

// waitStatus waits until `fleet status` lists n devices of group sim.
func waitStatus(t *testing.T, broker string, n int) {
	t.Helper()
	var out string
	deadline := time.Now().Add(time.Minute)
	for strings.Count(out, "sim-") < n {
		if time.Now().After(deadline) {
			t.Fatalf("fleet status never listed the %d agents:\n%s", n, out)
		}
		out, _, _ = fovea(t, "fleet", "status", "--broker", broker, "--root", simRoot.Root, "--group", "sim")
	}
}
