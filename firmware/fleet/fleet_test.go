package fleet_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

func TestParseStages(t *testing.T) {
	st, err := fleet.ParseStages("1, 10%,100%")
	if err != nil || len(st) != 3 || st[0].Count != 1 || st[1].Percent != 10 {
		t.Fatalf("ParseStages = %v, %v", st, err)
	}
	if got := fleet.Targets(st, 50); fmt.Sprint(got) != "[1 5 50]" {
		t.Errorf("Targets(50) = %v", got)
	}
	if got := fleet.Targets(st, 3); fmt.Sprint(got) != "[1 1 3]" {
		t.Errorf("Targets(3) = %v", got)
	}
	for _, bad := range []string{"", "10%", "0,100%", "x,100%", "150%", "1,50%"} {
		if _, err := fleet.ParseStages(bad); !errors.Is(err, fleet.ErrStages) {
			t.Errorf("ParseStages(%q) = %v; want ErrStages", bad, err)
		}
	}
}

// devices runs n in-process agents of group lab on the demo model, each
// with its own data directory, device id and synthetic camera, connected
// to broker.
func devices(t *testing.T, broker *mosquittotest.Broker, pub ed25519.PublicKey, n, fps int) []*agent.Agent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	var out []*agent.Agent
	for i := range n {
		y := fmt.Sprintf(`
version: 1
device_id: dev-%02d
data_dir: %q
cameras:
  - {id: cam, uri: "synthetic:seed=%d&size=64&fps=%d"}
model: {path: %q}
http: {listen: "off"}
mqtt: {broker: %q}
ota:
  trusted_keys: [%q]
  group: lab
  gates: {shadow_frames: 20, probation_frames: 20, min_frames: 10, max_latency_ratio: 1000}
`, i, t.TempDir(), i+1, fps, otatest.ModelPath(t), broker.URL(), sign.Inline(pub))
		cfg, err := config.Parse([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		a, err := agent.New(cfg, agent.Options{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := a.Run(ctx); err != nil {
				t.Errorf("dev-%02d: %v", i, err)
			}
		})
		out = append(out, a)
	}
	return out
}

func operator(t *testing.T, broker *mosquittotest.Broker) fleet.Broker {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).SetClientID(fmt.Sprintf("op-%d", time.Now().UnixNano())))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("operator connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(0) })
	return fleet.Paho(c)
}

func plan(t *testing.T, path, version string, stages string) fleet.Plan {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	st, err := fleet.ParseStages(stages)
	if err != nil {
		t.Fatal(err)
	}
	return fleet.Plan{
		Group: "lab", Stages: st, StageTimeout: 2 * time.Minute, Discover: time.Second,
		Deployment: deploy.Deployment{Name: "shapes", Version: version, URL: "file://" + path, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))},
	}
}

// TestRollout rolls a good model out to six agents in three stages,
// interrupting the operator after the first stage and resuming, then
// rolls out a bad model, which the first stage's device refuses: the
// rollout halts, the deployment is withdrawn and the fleet keeps the good
// model.
func TestRollout(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	pub, priv := otatest.Key(t)
	agents := devices(t, broker, pub, 6, 40)
	dir := t.TempDir()
	good := plan(t, otatest.Shapes(t, dir, priv, "1.1.0"), "1.1.0", "1,50%,100%")
	waitReported(t, broker, len(agents))

	// The first run stops (as if the operator pressed ^C) once stage 2
	// has begun.
	ctx, cancel := context.WithCancel(context.Background())
	_, err := fleet.Run(ctx, operator(t, broker), priv, good, func(p fleet.Progress) {
		if p.Stage == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run = %v", err)
	}
	var stages []fleet.Progress
	r, err := fleet.Run(context.Background(), operator(t, broker), priv, good, func(p fleet.Progress) {
		if p.Done {
			stages = append(stages, p)
		}
	})
	if err != nil {
		t.Fatalf("resumed Run = %v", err)
	}
	if r.State != fleet.Done || len(r.Devices) != 3 || len(r.Devices[0]) != 1 || len(r.Devices[1]) != 2 || len(r.Devices[2]) != 3 {
		t.Fatalf("rollout %+v", r)
	}
	for _, a := range agents {
		waitRunning(t, a, "1.1.0", ota.Committed)
	}
	for i, s := range r.StageDone {
		t.Logf("stage %d (%s): %d devices in %s", i+1, r.Stages[i], len(r.Devices[i]), s.Sub(r.StageStart[i]).Round(time.Millisecond))
	}

	bad := plan(t, otatest.Write(t, dir, otatest.Shuffled(t, "2.0.0"), priv), "2.0.0", "1,100%")
	r, err = fleet.Run(context.Background(), operator(t, broker), priv, bad, nil)
	if !errors.Is(err, fleet.ErrHalted) || r.State != fleet.Halted {
		t.Fatalf("bad rollout: %v, %+v", err, r)
	}
	t.Logf("halted: %v", err)
	for _, a := range agents {
		if v := a.Models().Active().Ref.Version; v != "1.1.0" {
			t.Errorf("%s runs %s after the halted rollout", a.Status().Device, v)
		}
	}
}

// waitReported waits until n devices have retained their OTA status.
func waitReported(t *testing.T, broker *mosquittotest.Broker, n int) {
	t.Helper()
	fl, err := fleet.Watch(context.Background(), operator(t, broker), "lab")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.After(time.Minute)
	for len(fl.Devices()) < n {
		select {
		case <-fl.Changed():
		case <-deadline:
			t.Fatalf("%d of %d devices reported", len(fl.Devices()), n)
		}
	}
}

func waitRunning(t *testing.T, a *agent.Agent, version string, state ota.State) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for a.Models().Active().Ref.Version != version {
		if time.Now().After(deadline) {
			st := a.OTAStatus()
			t.Fatalf("%s runs %s, not %s; ota %+v", a.Status().Device, a.Models().Active().Ref.Version, version, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := a.OTAStatus(); st.State != state {
		t.Errorf("%s: ota state %s", a.Status().Device, st.State)
	}
}
