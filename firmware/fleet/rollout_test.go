package fleet

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// fleetRig is a broker with simulated devices of group "lab" and a
// signed bundle.
type fleetRig struct {
	b       *mosquittotest.Broker
	priv    ed25519.PrivateKey
	devices []*simDevice
	bundle  string
}

func newFleetRig(t *testing.T, n int, version string, fail map[string]map[string]string) *fleetRig {
	if mosquittotest.Binary() == "" {
		t.Skip("mosquitto not installed")
	}
	r := &fleetRig{b: mosquittotest.Start(t, mosquittotest.Options{})}
	pub, priv := otatest.Key(t)
	r.priv = priv
	trust := sign.NewTrust(pub)
	for i := range n {
		id := fmt.Sprintf("dev-%02d", i)
		r.devices = append(r.devices, startSim(t, r.b, id, "lab", trust, fail[id]))
	}
	// One device of another group, which no stage may pick.
	startSim(t, r.b, "other-00", "garage", trust, nil)
	r.bundle = otatest.Shapes(t, t.TempDir(), priv, version)
	return r
}

func (r *fleetRig) rollout(t *testing.T, stages string, policy Policy, progress func(Progress)) (*Rollout, *Inventory) {
	t.Helper()
	conn, inv := operator(t, r.b)
	st, err := ParseStages(stages)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := New(Options{Client: conn, Inventory: inv, Group: "lab", Bundle: r.bundle, Key: r.priv,
		URL: "https://models.example.net/b.fovea", Stages: st, Policy: policy, Timeout: 20 * time.Second,
		RollbackTimeout: 10 * time.Second, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	return ro, inv
}

func TestRolloutCommitsStageByStage(t *testing.T) {
	r := newFleetRig(t, 8, "1.1.0", nil)
	var mu sync.Mutex
	var finals []Progress
	ro, _ := r.rollout(t, "1,25%,100%", Policy{}, func(p Progress) {
		if p.Final {
			mu.Lock()
			finals = append(finals, p)
			mu.Unlock()
		}
	})
	st, err := ro.Run(context.Background())
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if st.Phase != Done {
		t.Fatalf("phase %s; want done", st.Phase)
	}
	wantSizes := []int{1, 1, 6}
	for i, s := range st.Stages {
		if len(s.Devices) != wantSizes[i] || s.Committed != wantSizes[i] || s.Failed != 0 {
			t.Errorf("stage %s: %d devices, %d committed, %d failed; want %d committed", s.Spec, len(s.Devices), s.Committed, s.Failed, wantSizes[i])
		}
	}
	if got := st.Stages[0].Devices; !slices.Equal(got, []string{"dev-00"}) {
		t.Errorf("canary %v; want the first device in order, dev-00", got)
	}
	for _, d := range r.devices {
		if st := d.status(); st.Active != "1.1.0" || st.State != ota.Committed {
			t.Errorf("%s: %s on %s", d.id, st.State, st.Active)
		}
		if n := len(d.deployments()); n != 1 {
			t.Errorf("%s took %d deployments; want 1", d.id, n)
		}
	}
	if len(finals) != 3 {
		t.Errorf("%d final progress reports; want 3", len(finals))
	}
	var saved State
	if err := json.Unmarshal(retained(t, r.b, Topics{}.Rollout("lab")), &saved); err != nil || saved.Phase != Done || saved.SHA256 != ro.SHA256() {
		t.Errorf("retained state %+v (%v); want done for this bundle", saved, err)
	}
	// Running it again finds the rollout complete and publishes nothing.
	again, _ := r.rollout(t, "1,25%,100%", Policy{}, nil)
	if st, err := again.Run(context.Background()); err != nil || st.Phase != Done {
		t.Errorf("second Run = %v, %v; want done at once", st, err)
	}
	for _, d := range r.devices {
		if n := len(d.deployments()); n != 1 {
			t.Errorf("%s took %d deployments after the rerun; want 1", d.id, n)
		}
	}
}

func TestRolloutHaltsAndRollsBack(t *testing.T) {
	fail := map[string]map[string]string{"dev-02": {"1.1.0": "agreement 12% < 90%"}}
	r := newFleetRig(t, 6, "1.1.0", fail)
	ro, _ := r.rollout(t, "1,50%,100%", Policy{}, nil)
	st, err := ro.Run(context.Background())
	if !errors.Is(err, ErrHalted) {
		t.Fatalf("Run = %v; want ErrHalted", err)
	}
	if !strings.Contains(err.Error(), "dev-02") || !strings.Contains(err.Error(), "agreement 12%") {
		t.Errorf("error %q does not name the failed device and its reason", err)
	}
	if st.Phase != Halted || st.Stage != 1 {
		t.Errorf("phase %s at stage %d; want halted at stage 1", st.Phase, st.Stage)
	}
	if p := retained(t, r.b, Topics{}.Deploy("lab")); len(p) != 0 {
		t.Errorf("the deployment is still retained (%d bytes); want it withdrawn", len(p))
	}
	for _, d := range r.devices {
		s := d.status()
		if s.Active != "1.0.0" {
			t.Errorf("%s runs %s after the halt; want 1.0.0", d.id, s.Active)
		}
		if slices.Contains([]string{"dev-03", "dev-04", "dev-05"}, d.id) && len(d.deployments()) != 0 {
			t.Errorf("%s of the last stage got a deployment", d.id)
		}
	}
	// The halted rollout is not tried again with the same bundle.
	again, _ := r.rollout(t, "1,50%,100%", Policy{}, nil)
	if _, err := again.Run(context.Background()); !errors.Is(err, ErrHalted) {
		t.Errorf("rerun = %v; want ErrHalted from the retained state", err)
	}
}

func TestRolloutToleratesFailuresUnderPolicy(t *testing.T) {
	fail := map[string]map[string]string{"dev-02": {"1.1.0": "error rate 9% > 5%"}}
	r := newFleetRig(t, 5, "1.1.0", fail)
	ro, _ := r.rollout(t, "1,100%", Policy{MaxFailureRate: 0.25}, nil)
	st, err := ro.Run(context.Background())
	if err != nil {
		t.Fatalf("Run = %v; want one failure of 4 tolerated", err)
	}
	if s := st.Stages[1]; s.Failed != 1 || s.Committed != 3 || !strings.Contains(s.Failures["dev-02"], "error rate") {
		t.Errorf("stage 100%%: %+v", s)
	}
}

func TestRolloutResumesAfterRestart(t *testing.T) {
	r := newFleetRig(t, 4, "1.1.0", nil)
	ctx, cancel := context.WithCancel(context.Background())
	ro, _ := r.rollout(t, "1,100%", Policy{}, func(p Progress) {
		if p.Stage == 0 && p.Final {
			cancel() // the operator's command is killed after stage 1
		}
	})
	if _, err := ro.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v; want it cancelled", err)
	}
	first := r.devices[0].deployments()
	again, _ := r.rollout(t, "1,100%", Policy{}, nil)
	st, err := again.Run(context.Background())
	if err != nil || st.Phase != Done {
		t.Fatalf("resumed Run = %v, %+v", err, st)
	}
	if got := r.devices[0].deployments(); !slices.Equal(got, first) {
		t.Errorf("the canary took deployments %v after the resume; want only %v", got, first)
	}
	for _, d := range r.devices {
		if d.status().Active != "1.1.0" {
			t.Errorf("%s runs %s", d.id, d.status().Active)
		}
	}
}

func TestRolloutRefusesOtherRunningRollout(t *testing.T) {
	r := newFleetRig(t, 2, "1.1.0", nil)
	ctx, cancel := context.WithCancel(context.Background())
	ro, _ := r.rollout(t, "1,100%", Policy{}, func(p Progress) {
		if p.Final {
			cancel()
		}
	})
	ro.Run(ctx)
	r.bundle = otatest.Shapes(t, t.TempDir(), r.priv, "1.2.0")
	other, _ := r.rollout(t, "1,100%", Policy{}, nil)
	if _, err := other.Run(context.Background()); !errors.Is(err, ErrOtherRollout) {
		t.Errorf("Run = %v; want ErrOtherRollout", err)
	}
}

// TestRolloutOverMQTTTransfer serves the bundle from the operator's chunk
// server, as `fovea fleet deploy --mqtt-transfer` does; every device
// fetches it in chunks through the broker and checks its hash.
func TestRolloutOverMQTTTransfer(t *testing.T) {
	r := newFleetRig(t, 3, "1.1.0", nil)
	conn, inv := operator(t, r.b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fetch.ServeChunks(ctx, conn, "", "shapes-1.1.0", r.bundle, 0, nil) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("ServeChunks = %v", err)
		}
	}()
	st, _ := ParseStages("1,100%")
	ro, err := New(Options{Client: conn, Inventory: inv, Group: "lab", Bundle: r.bundle, Key: r.priv,
		Transfer: "shapes-1.1.0", Stages: st, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	sentBefore, _ := conn.WireBytes()
	if _, err := ro.Run(ctx); err != nil {
		t.Fatalf("Run = %v", err)
	}
	sent, _ := conn.WireBytes()
	for _, d := range r.devices {
		if s := d.status(); s.Active != "1.1.0" {
			t.Errorf("%s: %s on %s (%s)", d.id, s.State, s.Active, s.Reason)
		}
		if got := d.mq.Stats().Received; got == 0 {
			t.Errorf("%s received no chunk", d.id)
		}
	}
	if per := (sent - sentBefore) / 3; per < ro.Size() {
		t.Errorf("operator sent %d bytes per device; want at least the bundle's %d", per, ro.Size())
	}
}
