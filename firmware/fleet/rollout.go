package fleet

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/sign"
)

var (
	// ErrHalted is returned when a stage failed more than the policy
	// allows: the rollout stopped and its devices were rolled back.
	ErrHalted = errors.New("rollout halted")
	// ErrNoDevices is returned when the group has no device to update.
	ErrNoDevices = errors.New("no device in the group")
	// ErrOtherRollout is returned when another bundle's rollout of the
	// group is still running.
	ErrOtherRollout = errors.New("another rollout of this group is in progress")
)

// Options configure a rollout.
type Options struct {
	Client    Client
	Inventory *Inventory // watching Client's devices (Inventory.Watch)
	// Topics is the fleet's topic root (zero: DefaultRoot); Inventory
	// must watch the same one.
	Topics Topics
	Group  string
	// Bundle is the .fovea file; Key signs the deployments and must be the
	// key that signed the bundle (devices trust its public half).
	Bundle string
	Key    ed25519.PrivateKey
	// Exactly one of URL (devices download the bundle there) and Transfer
	// (an MQTT chunk transfer id that the caller serves) is set.
	URL, Transfer string
	Stages        []Stage
	Gates         deploy.Gates
	Policy        Policy
	// AllowDowngrade lets devices install a version older than theirs.
	AllowDowngrade bool
	// Timeout is how long a stage's devices have to commit (default 1h);
	// those that have not by then count as failed.
	Timeout time.Duration
	// RollbackTimeout bounds the wait for devices to report the rollback
	// of a halted rollout (default 5m).
	RollbackTimeout time.Duration
	// Devices, when set, are the group's members (for agents that do not
	// name their group in the OTA status).
	Devices []string
	// Force starts this rollout even when another bundle's is running.
	Force bool
	// Progress is called on every change of a stage's devices (on the
	// rollout's goroutine; it must be quick).
	Progress func(Progress)
	Log      *slog.Logger
	Now      func() time.Time
}

// Progress is a stage's tally.
type Progress struct {
	Stage, Stages int // 0-based index, count
	Spec          string
	Devices       int
	Committed     int
	Failed        int
	// States counts the pending devices by OTA state ("" when a device
	// has not picked the deployment up yet).
	States map[string]int
	// Bytes and Total sum the download progress of the pending devices.
	Bytes, Total int64
	Elapsed      time.Duration
	// Final is set on the stage's last report.
	Final bool
}

// Rollout runs one rollout; create it with New and run it with Run.
type Rollout struct {
	o       Options
	log     *slog.Logger
	name    string
	version string
	sha     string
	size    int64
	st      *State
}

// New checks the options and the bundle: it must verify against Key's
// public half, so devices will accept it.
func New(o Options) (*Rollout, error) {
	if o.Client == nil || o.Inventory == nil || o.Key == nil || o.Group == "" || len(o.Stages) == 0 {
		return nil, errors.New("fleet.New: Client, Inventory, Key, Group and Stages are required")
	}
	if (o.URL == "") == (o.Transfer == "") {
		return nil, errors.New("fleet.New: give exactly one of a bundle URL and an MQTT transfer")
	}
	if err := CheckRoot(o.Topics.root()); err != nil {
		return nil, fmt.Errorf("fleet.New: %w", err)
	}
	if o.Inventory.topics.root() != o.Topics.root() {
		return nil, fmt.Errorf("fleet.New: the inventory watches %q but the rollout publishes under %q", o.Inventory.topics.root(), o.Topics.root())
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Hour
	}
	if o.RollbackTimeout <= 0 {
		o.RollbackTimeout = 5 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	pub := o.Key.Public().(ed25519.PublicKey)
	vb, err := bundle.VerifyFile(o.Bundle, sign.NewTrust(pub), bundle.Limits{})
	if err != nil {
		return nil, fmt.Errorf("fleet.New: %s does not verify with the public half of the deployment key (devices would refuse it): %w", o.Bundle, err)
	}
	sha, size, err := fileHash(o.Bundle)
	if err != nil {
		return nil, fmt.Errorf("fleet.New: %w", err)
	}
	return &Rollout{o: o, log: o.Log, name: vb.Manifest.Name, version: vb.Manifest.Version, sha: sha, size: size}, nil
}

// Version is the bundle's version.
func (r *Rollout) Version() string { return r.version }

// SHA256 and Size describe the bundle file, as deployments announce it.
func (r *Rollout) SHA256() string { return r.sha }

// Size is the bundle file's size.
func (r *Rollout) Size() int64 { return r.size }

func fileHash(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Run runs the rollout, or resumes the one the retained state records,
// until every stage committed (nil), a stage failed (ErrHalted, after
// rolling its devices back) or ctx ends. It returns the final state.
func (r *Rollout) Run(ctx context.Context) (*State, error) {
	prev, err := ReadState(ctx, r.o.Client, r.o.Topics, r.o.Group, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	if err := r.start(prev); err != nil {
		return r.st, err
	}
	for r.st.Stage < len(r.st.Stages) {
		i := r.st.Stage
		if err := r.runStage(ctx, i); err != nil {
			return r.st, err
		}
		r.st.Stage++
	}
	r.st.Stage = len(r.st.Stages) - 1
	r.st.Phase = Done
	r.st.Updated = r.o.Now().UTC()
	if err := publishState(ctx, r.o.Client, r.o.Topics, r.st); err != nil {
		return r.st, err
	}
	r.log.Info("rollout complete", "group", r.o.Group, "version", r.version)
	return r.st, nil
}

// start picks up the retained state or begins a new one.
func (r *Rollout) start(prev *State) error {
	if prev != nil && prev.SHA256 == r.sha && prev.Group == r.o.Group {
		switch prev.Phase {
		case Done:
			r.st = prev
			r.log.Info("this bundle's rollout is complete already", "version", r.version)
			return nil
		case Halted:
			r.st = prev
			return fmt.Errorf("fleet: %w earlier at stage %s: %s (build a new version to try again)", ErrHalted, prev.Stages[prev.Stage].Spec, prev.Reason)
		case Running:
			r.st = prev
			r.log.Info("resuming the rollout", "version", r.version, "stage", prev.Stages[prev.Stage].Spec)
			return nil
		}
	}
	if prev != nil && prev.Phase == Running && !r.o.Force {
		return fmt.Errorf("fleet: %w: %s %s is at stage %d of %d; run it to its end or pass --force", ErrOtherRollout, prev.Name, prev.Version, prev.Stage+1, len(prev.Stages))
	}
	now := r.o.Now().UTC()
	r.st = &State{V: stateVersion, Group: r.o.Group, Name: r.name, Version: r.version, SHA256: r.sha, Size: r.size,
		Phase: Running, Started: now, Updated: now}
	for _, s := range r.o.Stages {
		r.st.Stages = append(r.st.Stages, StageState{Spec: s.Spec})
	}
	return nil
}

// assign fills in the devices of stage i and of the stages after it from
// the group's members now; devices that run the version already are left
// out.
func (r *Rollout) assign(i int) error {
	members := r.o.Inventory.Members(r.o.Group, r.o.Devices)
	var todo []string
	for _, d := range members {
		if d.Version() != r.version || slices.ContainsFunc(r.st.Stages[:i], func(s StageState) bool { return slices.Contains(s.Devices, d.ID) }) {
			todo = append(todo, d.ID)
		}
	}
	if len(members) == 0 {
		return fmt.Errorf("fleet: %w %q: no device names it in fovea/<device>/ota (pass the members with --devices)", ErrNoDevices, r.o.Group)
	}
	var done [][]string
	for _, s := range r.st.Stages[:i] {
		done = append(done, s.Devices)
	}
	stages := r.o.Stages
	if len(stages) != len(r.st.Stages) {
		// Resumed with other --stages: the recorded ones rule.
		stages = nil
		for _, s := range r.st.Stages {
			st, err := ParseStages(s.Spec)
			if err != nil {
				return err
			}
			stages = append(stages, st[0])
		}
	}
	for j, devs := range Assign(todo, stages, done)[i:] {
		r.st.Stages[i+j].Devices = devs
	}
	return nil
}

// nextID returns a deployment id newer than any the group's devices or
// this rollout have seen.
func (r *Rollout) nextID() uint64 {
	id := uint64(r.o.Now().UnixMilli())
	for _, s := range r.st.Stages {
		id = max(id, s.Deployment+1)
	}
	for _, d := range r.o.Inventory.Members(r.o.Group, r.o.Devices) {
		if d.OTA != nil {
			id = max(id, d.OTA.LastApplied+1, d.OTA.Deployment+1)
		}
	}
	return id
}

// publishStage signs and publishes stage i's deployment, retained on the
// group's topic, after recording it in the state. A resumed rollout
// publishes the recorded stage again under its recorded id (the first
// attempt may have died between the two writes): devices that took it
// already see the same id and ignore it.
func (r *Rollout) publishStage(ctx context.Context, i int) error {
	s := &r.st.Stages[i]
	now := r.o.Now().UTC()
	id, started := s.Deployment, s.Started
	if id == 0 {
		id, started = r.nextID(), now
	}
	d := &deploy.Deployment{
		ID: id, Group: r.o.Group, Devices: s.Devices, Stage: s.Spec,
		Name: r.name, Version: r.version, URL: r.o.URL, Transfer: r.o.Transfer,
		SHA256: r.sha, Size: r.size, AllowDowngrade: r.o.AllowDowngrade, Gates: r.o.Gates,
		Created: now,
	}
	msg, err := deploy.Encode(d, r.o.Key)
	if err != nil {
		return fmt.Errorf("fleet: stage %s: %w", s.Spec, err)
	}
	s.Deployment, s.Started = d.ID, started
	r.st.Updated = now
	if err := publishState(ctx, r.o.Client, r.o.Topics, r.st); err != nil {
		return err
	}
	if err := r.o.Client.Publish(ctx, fetch.Message{Topic: r.o.Topics.Deploy(r.o.Group), Payload: msg, Retain: true}); err != nil {
		return fmt.Errorf("fleet: publishing the deployment of stage %s: %w", s.Spec, err)
	}
	r.log.Info("stage published", "stage", s.Spec, "deployment", d.ID, "devices", len(s.Devices))
	return nil
}
