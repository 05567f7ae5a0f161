package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// TestOTASIGKILL kills `fovea run --json` with SIGKILL at random moments
// while it takes a deployment (download, verification, self-test, shadow,
// activation, probation), restarting it on the same data directory. Every
// result it printed as durable must be in the outbox or delivered to the
// broker, every result must come from the configured model or the signed
// candidate, and the update must end committed or rolled back — never on
// another model.
func TestOTASIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the SIGKILL loop in -short mode")
	}
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	pub, priv := otatest.Key(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "state")
	bundlePath := otatest.Shapes(t, dir, priv, "1.1.0")
	model, _ := os.ReadFile("../../testdata/models/shapes.tflite")
	// The candidate is the same network: what this test checks is the
	// process dying at every step, not the gates.
	allowed := map[string]bool{infer.SHA256(model): true}
	cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: ota-crash
data_dir: %q
cameras: [{id: c, uri: "synthetic:seed=3&size=64&fps=150", on_full: wait}]
model: {path: ../../testdata/models/shapes.tflite}
outbox: {commit_interval: 20ms}
http: {listen: "off"}
log: {level: warn}
mqtt: {broker: %q}
ota:
  trusted_keys: [%q]
  group: crash
  gates: {shadow_frames: 120, probation_frames: 120, min_frames: 20, max_latency_ratio: 1000}
`, data, broker.URL(), sign.Inline(pub)))

	// The operator: a persistent subscriber for results, and the retained
	// deployment.
	var mu sync.Mutex
	delivered := map[uint64]bool{}
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).SetClientID("ota-crash-sub").SetCleanSession(false))
	if tok := sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	defer sub.Disconnect(0)
	sub.Subscribe("fovea/ota-crash/results", 1, func(_ mqtt.Client, m mqtt.Message) {
		b, err := mqttsync.DecodeBatch(m.Payload(), 16<<20)
		if err != nil {
			t.Errorf("results: %v", err)
			return
		}
		mu.Lock()
		for _, r := range b.Results {
			delivered[r.Seq] = true
		}
		mu.Unlock()
	}).WaitTimeout(10 * time.Second)
	b, _ := os.ReadFile(bundlePath)
	sum := sha256.Sum256(b)
	env, err := deploy.Encode(&deploy.Deployment{ID: 1, Group: "crash", Name: "shapes", Version: "1.1.0", URL: "file://" + bundlePath,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Created: time.Now().UTC()}, priv)
	if err != nil {
		t.Fatal(err)
	}
	sub.Publish("fovea/groups/crash/deploy", 1, true, env).WaitTimeout(10 * time.Second)
	var candidate string

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 9))
	t.Logf("seed %d", seed)
	printed := map[uint64]record.Record{}
	var killedIn []ota.State
	for round := 0; ; round++ {
		final := round >= 12
		cmd := exec.Command(foveaBin, "run", "--config", cfg, "--json")
		out, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []byte)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- bytes.Clone(sc.Bytes())
			}
		}()
		deadline := time.After(time.Duration(100+rng.IntN(1500)) * time.Millisecond)
		if final {
			deadline = time.After(90 * time.Second)
		}
	run:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: fovea exited:\n%s", round, stderr.String())
				}
				addPrinted(t, printed, l)
				if final {
					if st, _ := ota.ReadStatus(filepath.Join(data, "ota")); st.State == ota.Committed || st.State == ota.RolledBack {
						break run
					}
				}
			case <-deadline:
				if final {
					t.Fatalf("no final OTA state after the kills:\n%s", stderr.String())
				}
				break run
			}
		}
		cmd.Process.Kill()
		for l := range lines {
			addPrinted(t, printed, l)
		}
		cmd.Wait()
		st, err := ota.ReadStatus(filepath.Join(data, "ota"))
		if err != nil {
			t.Fatalf("round %d: state file after kill -9: %v", round, err)
		}
		killedIn = append(killedIn, st.State)
		if st.ActiveSHA256 != "" {
			candidate = st.ActiveSHA256
		}
		if final {
			if st.State != ota.Committed && st.State != ota.RolledBack {
				t.Fatalf("final state %s: %s", st.State, st.Reason)
			}
			t.Logf("final: %s %s (%s)", st.State, st.Version, st.Reason)
			break
		}
	}
	t.Logf("killed in states %v", killedIn)
	if candidate != "" {
		allowed[candidate] = true
	}
	// Results delivered before the test's subscriber saw them still count
	// once the broker acknowledged them (QoS 1 to a persistent session):
	// give the last deliveries a moment.
	stored := map[uint64]record.Record{}
	for _, e := range outboxEntries(t, data) {
		stored[e.seq] = e.rec
	}
	waitUntil := time.Now().Add(10 * time.Second)
	for {
		missing := 0
		mu.Lock()
		for seq := range printed {
			if _, ok := stored[seq]; !ok && !delivered[seq] {
				missing++
			}
		}
		mu.Unlock()
		if missing == 0 {
			break
		}
		if time.Now().After(waitUntil) {
			t.Fatalf("%d of %d results printed as durable are neither in the outbox nor delivered", missing, len(printed))
		}
		time.Sleep(100 * time.Millisecond)
	}
	byModel := map[string]int{}
	for seq, r := range printed {
		if !allowed[r.Model.SHA256] {
			t.Errorf("result %d made by model %+v, neither the configured nor the signed candidate", seq, r.Model)
		}
		byModel[r.Model.Version]++
	}
	t.Logf("%d results printed over %d runs, per model version %v", len(printed), len(killedIn), byModel)
}
