package fleet

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/ota"
)

var (
	// ErrHalted is returned when a stage failed its gate; the stage's and
	// earlier devices were told to roll back.
	ErrHalted = errors.New("rollout halted")
	// ErrNoDevices is returned when no device of the group reported.
	ErrNoDevices = errors.New("no device of the group has reported an OTA status (are they running with an ota section, and connected?)")
)

// Plan is one rollout.
type Plan struct {
	Group  string
	Stages []Stage
	// Deployment is the template: name, version, url or transfer, sha256,
	// size, gates, allow_downgrade, expires. ID, Group, Devices and Stage
	// are set per stage.
	Deployment deploy.Deployment
	// MaxFailureRate is the largest fraction of a stage's devices that may
	// fail; above it the rollout halts (0: any failure halts).
	MaxFailureRate float64
	// StageTimeout bounds the wait for a stage's devices.
	StageTimeout time.Duration
	// Discover is how long to collect retained statuses before starting.
	Discover time.Duration
}

// Rollout is the operator's progress, retained on RolloutTopic.
type Rollout struct {
	Group   string    `json:"group"`
	Name    string    `json:"name"`
	Version string    `json:"version"`
	SHA256  string    `json:"sha256"`
	BaseID  uint64    `json:"base_id"` // stage i uses deployment id BaseID+i
	Stages  []Stage   `json:"stages"`
	Current int       `json:"current"` // stage in progress (or last done)
	State   string    `json:"state"`   // running, done, halted
	Reason  string    `json:"reason,omitempty"`
	Started time.Time `json:"started"`
	// Per stage: its new devices, and when it started and finished.
	Devices     [][]string  `json:"devices"`
	StageStart  []time.Time `json:"stage_start"`
	StageDone   []time.Time `json:"stage_done"`
	HaltedAt    time.Time   `json:"halted_at,omitzero"`
	RolledBack  time.Time   `json:"rolled_back_at,omitzero"`
	RolledBackN int         `json:"rolled_back_devices,omitempty"`
}

// Rollout states.
const (
	Running = "running"
	Done    = "done"
	Halted  = "halted"
)

// Progress is reported while a stage runs.
type Progress struct {
	Stage, Stages        int
	Label                string // "10%"
	Devices              int
	Committed, Failed    int
	Elapsed              time.Duration
	Done                 bool
	FailedDevices        []string
	FailureReasonExample string
}

// Run carries out plan, resuming a rollout of the same bundle found
// retained on the broker.
func Run(ctx context.Context, b Broker, priv ed25519.PrivateKey, plan Plan, progress func(Progress)) (*Rollout, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	fl, err := Watch(ctx, b, plan.Group)
	if err != nil {
		return nil, err
	}
	prev, err := readRollout(ctx, b, plan.Group, plan.Discover)
	if err != nil {
		return nil, err
	}
	fl.Settle(ctx, plan.Discover)
	devs := fl.Devices()
	if len(devs) == 0 {
		return nil, fmt.Errorf("fleet.Run: group %q: %w", plan.Group, ErrNoDevices)
	}
	d := plan.Deployment
	r := prev
	if r == nil || r.SHA256 != d.SHA256 || r.State != Running {
		var maxID uint64
		for _, st := range devs {
			maxID = max(maxID, st.LastApplied, st.Deployment)
		}
		r = &Rollout{Group: plan.Group, Name: d.Name, Version: d.Version, SHA256: d.SHA256, Stages: plan.Stages,
			BaseID: max(uint64(time.Now().UnixMilli()), maxID+1), State: Running, Started: time.Now().UTC()}
	}
	order := canaryOrder(devs, d.SHA256)
	targets := Targets(r.Stages, len(order))
	for i := r.Current; i < len(r.Stages); i++ {
		r.Current = i
		if len(r.Devices) <= i {
			// New devices of this stage: those not in an earlier stage,
			// up to the stage's target.
			done := map[string]bool{}
			for _, s := range r.Devices {
				for _, dv := range s {
					done[dv] = true
				}
			}
			var fresh []string
			for _, dv := range order {
				if !done[dv] && len(done)+len(fresh) < targets[i] {
					fresh = append(fresh, dv)
				}
			}
			if i == len(r.Stages)-1 {
				for _, dv := range order {
					if !done[dv] && !slices.Contains(fresh, dv) {
						fresh = append(fresh, dv)
					}
				}
			}
			r.Devices = append(r.Devices, fresh)
			r.StageStart = append(r.StageStart, time.Now().UTC())
		}
		sd := d
		sd.ID, sd.Group, sd.Stage = r.BaseID+uint64(i), plan.Group, r.Stages[i].String()
		sd.Devices = r.Devices[i]
		if i == len(r.Stages)-1 {
			sd.Devices = nil // the whole group, also devices that join later
		}
		if sd.Created.IsZero() {
			sd.Created = time.Now().UTC()
		}
		env, err := deploy.Encode(&sd, priv)
		if err != nil {
			return r, fmt.Errorf("fleet.Run: %w", err)
		}
		if err := save(ctx, b, r); err != nil {
			return r, err
		}
		if err := b.Publish(ctx, DeployTopic(plan.Group), env, true); err != nil {
			return r, fmt.Errorf("fleet.Run: publishing stage %d: %w", i+1, err)
		}
		failed, err := waitStage(ctx, fl, r, i, sd.ID, plan, progress)
		if err != nil {
			return r, err
		}
		if failed != "" {
			return r, halt(ctx, b, fl, r, plan, failed)
		}
		r.StageDone = append(r.StageDone, time.Now().UTC())
	}
	r.State = Done
	return r, save(ctx, b, r)
}

// canaryOrder orders devices by a hash of the bundle and the device id:
// each release picks different canaries, and a resumed rollout the same.
func canaryOrder(devs []ota.Status, salt string) []string {
	ids := make([]string, len(devs))
	for i, d := range devs {
		ids[i] = d.Device
	}
	key := func(id string) uint64 {
		h := fnv.New64a()
		h.Write([]byte(salt + "\x00" + id))
		return h.Sum64()
	}
	slices.SortFunc(ids, func(a, b string) int {
		ka, kb := key(a), key(b)
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return 0
	})
	return ids
}

// waitStage waits until every new device of stage i reported deployment id
// as committed, failed or rolled back. It returns a failure description
// when the failures exceed the gate or the stage timed out.
func waitStage(ctx context.Context, fl *Fleet, r *Rollout, i int, id uint64, plan Plan, progress func(Progress)) (string, error) {
	want := r.Devices[i]
	start := r.StageStart[i]
	timeout := time.NewTimer(time.Until(start.Add(plan.StageTimeout)))
	defer timeout.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		p := Progress{Stage: i + 1, Stages: len(r.Stages), Label: r.Stages[i].String(), Devices: len(want), Elapsed: time.Since(start)}
		byID := map[string]ota.Status{}
		for _, st := range fl.Devices() {
			byID[st.Device] = st
		}
		for _, dv := range want {
			st := byID[dv]
			if st.Deployment != id && st.LastApplied < id {
				continue
			}
			switch st.State {
			case ota.Committed:
				p.Committed++
			case ota.Failed, ota.RolledBack:
				p.Failed++
				p.FailedDevices = append(p.FailedDevices, dv)
				if p.FailureReasonExample == "" {
					p.FailureReasonExample = dv + ": " + st.Reason
				}
			}
		}
		p.Done = p.Committed+p.Failed == len(want)
		progress(p)
		if len(want) > 0 && float64(p.Failed)/float64(len(want)) > plan.MaxFailureRate {
			return fmt.Sprintf("stage %d (%s): %d of %d devices failed (gate %.0f%%); e.g. %s", i+1, p.Label, p.Failed, len(want), 100*plan.MaxFailureRate, p.FailureReasonExample), nil
		}
		if p.Done {
			return "", nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-timeout.C:
			return fmt.Sprintf("stage %d (%s): %d of %d devices did not finish within %s", i+1, p.Label, len(want)-p.Committed-p.Failed, len(want), plan.StageTimeout), nil
		case <-fl.Changed():
		case <-tick.C:
		}
	}
}

// halt stops the rollout: the retained deployment is cleared, and every
// device that runs the new version is told to roll back; it returns once
// they all report another version, or after StageTimeout.
func halt(ctx context.Context, b Broker, fl *Fleet, r *Rollout, plan Plan, why string) error {
	r.State, r.Reason, r.HaltedAt = Halted, why, time.Now().UTC()
	if err := b.Publish(ctx, DeployTopic(plan.Group), nil, true); err != nil {
		return fmt.Errorf("fleet: clearing the deployment: %w", err)
	}
	if err := save(ctx, b, r); err != nil {
		return err
	}
	// Devices running the new version, or still updating to it.
	running := func() []string {
		var out []string
		for _, st := range fl.Devices() {
			ours := st.Deployment >= r.BaseID && st.Deployment < r.BaseID+uint64(len(r.Stages))
			if st.Active == r.Version || (ours && st.State.Busy()) {
				out = append(out, st.Device)
			}
		}
		return out
	}
	targets := running()
	for _, dv := range targets {
		cmd := fmt.Sprintf(`{"id":"fleet-rollback-%d"}`, r.BaseID)
		if err := b.Publish(ctx, "fovea/"+dv+"/cmd/model/rollback", []byte(cmd), false); err != nil {
			return fmt.Errorf("fleet: rollback command to %s: %w", dv, err)
		}
	}
	deadline := time.NewTimer(plan.StageTimeout)
	defer deadline.Stop()
	for len(running()) > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("fleet: %w: %s; %d devices still run %s after %s", ErrHalted, why, len(running()), r.Version, plan.StageTimeout)
		case <-fl.Changed():
		}
	}
	r.RolledBack, r.RolledBackN = time.Now().UTC(), len(targets)
	if err := save(ctx, b, r); err != nil {
		return err
	}
	return fmt.Errorf("fleet: %w: %s; %d devices rolled back in %s", ErrHalted, why, len(targets), r.RolledBack.Sub(r.HaltedAt).Round(time.Millisecond))
}

func save(ctx context.Context, b Broker, r *Rollout) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := b.Publish(ctx, RolloutTopic(r.Group), data, true); err != nil {
		return fmt.Errorf("fleet: saving the rollout state: %w", err)
	}
	return nil
}

// readRollout returns the retained rollout of group, nil when none
// arrives within wait.
func readRollout(ctx context.Context, b Broker, group string, wait time.Duration) (*Rollout, error) {
	got := make(chan *Rollout, 1)
	err := b.Subscribe(ctx, RolloutTopic(group), func(_ string, payload []byte) {
		var r Rollout
		if len(payload) == 0 || json.Unmarshal(payload, &r) != nil {
			return
		}
		select {
		case got <- &r:
		default:
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	select {
	case r := <-got:
		return r, nil
	case <-time.After(wait):
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ReadRollout is readRollout for `fovea fleet status`.
func ReadRollout(ctx context.Context, b Broker, group string, wait time.Duration) (*Rollout, error) {
	return readRollout(ctx, b, group, wait)
}
