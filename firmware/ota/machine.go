package ota

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/internal/base/imaging"
)

var (
	// ErrBusy is returned by a command while an update runs in a state
	// that cannot be interrupted (downloading, verifying, activating).
	ErrBusy = errors.New("an update is in progress")
	// ErrNoPrevious is returned by Rollback with nothing to roll back to.
	ErrNoPrevious = errors.New("no previous model version to roll back to")
	// ErrModelLoad marks a candidate the engine cannot load or use as an
	// image classifier.
	ErrModelLoad = errors.New("candidate model fails to load")
	// ErrInputShape marks a candidate whose input differs from the
	// configured (active) model's.
	ErrInputShape = errors.New("candidate model input does not match the configured model")
	// ErrLatency marks a candidate slower than the latency budget.
	ErrLatency = errors.New("candidate model is over the latency budget")
	// ErrDisk marks a device without room for the bundle and the reserve.
	ErrDisk = errors.New("not enough free disk space for the bundle")
	// ErrWrongBundle marks a bundle whose name or version is not the one
	// the deployment announced.
	ErrWrongBundle = errors.New("bundle is not the one the deployment names")
)

// DefaultGates apply where neither the configuration nor the deployment
// sets a gate.
var DefaultGates = deploy.Gates{
	MaxErrorRate:      0.01,
	MaxLatencyRatio:   3,
	MinAgreement:      0.85,
	ShadowFrames:      200,
	ShadowDuration:    deploy.Duration(10 * time.Minute),
	ProbationFrames:   500,
	ProbationDuration: deploy.Duration(30 * time.Minute),
	MinFrames:         20,
}

// Config wires a Machine.
type Config struct {
	Device, Group string
	// Dir holds the machine's state and downloads (<data_dir>/ota).
	Dir     string
	Store   *store.Store
	Trust   *sign.Trust
	Host    Host
	Fetcher Fetcher
	// Publish receives the status after every change (the agent publishes
	// it retained on fovea/<device>/ota); it must not block.
	Publish func(Status)
	// AgentVersion is checked against bundles' min_agent_version.
	AgentVersion string
	// Gates are the device's defaults; a deployment overrides them field
	// by field. Zero fields take DefaultGates.
	Gates deploy.Gates
	// Engine, Resize and Threads are how the agent runs models; the
	// self-test runs the candidate the same way.
	Engine  string
	Resize  imaging.Resizer
	Threads int
	// ReserveBytes stay free on the data disk after a download (the
	// outbox needs them).
	ReserveBytes int64
	// KeepVersions is how many installed versions to keep (plus active
	// and previous); default 3.
	KeepVersions int
	// MaxProbationRestarts is how many agent restarts a candidate on
	// probation survives before it is rolled back; default 1.
	MaxProbationRestarts int
	Log                  *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Machine runs updates. Create it with New and run it with Run; Submit,
// Activate, Rollback and Status are safe to call from any goroutine.
type Machine struct {
	cfg   Config
	gates deploy.Gates
	log   *slog.Logger

	mu sync.Mutex // guards st
	st Status

	pending chan pendingDeploy // capacity 1: the newest wins
	cmds    chan command

	meterMu sync.Mutex // guards meter
	meter   *meter     // the run in progress, nil outside shadow and probation
	role    State      // Shadow: candidate is the shadow; Probation: candidate is active
}

type pendingDeploy struct {
	env []byte
	d   *deploy.Deployment
}

type command struct {
	op      string // "activate", "rollback"
	version string
	reply   chan error
}

// New checks cfg and loads the persisted state.
func New(cfg Config) (*Machine, error) {
	if cfg.Store == nil || cfg.Host == nil || cfg.Fetcher == nil || cfg.Dir == "" {
		return nil, errors.New("ota.New: Store, Host, Fetcher and Dir are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeepVersions <= 0 {
		cfg.KeepVersions = 3
	}
	if cfg.MaxProbationRestarts <= 0 {
		cfg.MaxProbationRestarts = 1
	}
	if cfg.Publish == nil {
		cfg.Publish = func(Status) {}
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "download"), 0o755); err != nil {
		return nil, fmt.Errorf("ota.New: %w", err)
	}
	st, err := loadStatus(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("ota.New: %w", err)
	}
	m := &Machine{
		cfg:     cfg,
		gates:   cfg.Gates.Merge(DefaultGates),
		log:     cfg.Log,
		st:      st,
		pending: make(chan pendingDeploy, 1),
		cmds:    make(chan command),
	}
	m.st.Device, m.st.Group = cfg.Device, cfg.Group
	m.syncPointers()
	return m, nil
}

// Status returns a copy of the current status.
func (m *Machine) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.st
	st.History = append([]Transition(nil), m.st.History...)
	return st
}

// syncPointers copies the store's pointers into the status.
func (m *Machine) syncPointers() {
	a, p, err := m.cfg.Store.Pointers()
	if err != nil {
		m.log.Error("reading the model store", "err", err)
		return
	}
	sha := ""
	if a != "" {
		if v, err := m.cfg.Store.Get(a); err == nil {
			sha = v.SHA256()
		}
	}
	m.mu.Lock()
	m.st.Active, m.st.Previous, m.st.ActiveSHA256 = a, p, sha
	m.mu.Unlock()
}

// Submit takes a deployment message as it arrived (from MQTT): it checks
// the signature, that it is for this device, newer than the last one
// applied and not expired, and queues it. The errors wrap
// deploy.ErrNotForDevice and deploy.ErrReplay for messages to ignore
// quietly; anything else deserves a log line.
func (m *Machine) Submit(env []byte) error {
	d, err := deploy.Decode(env, m.cfg.Trust)
	if err != nil {
		m.reject(err)
		return fmt.Errorf("ota.Submit: %w", err)
	}
	m.mu.Lock()
	last := m.st.LastApplied
	if m.st.Deployment > last {
		last = m.st.Deployment
	}
	m.mu.Unlock()
	if err := d.AppliesTo(deploy.Target{Device: m.cfg.Device, Group: m.cfg.Group, LastID: last, Now: m.cfg.Now()}); err != nil {
		if errors.Is(err, deploy.ErrExpired) {
			m.reject(err)
		}
		return fmt.Errorf("ota.Submit: %w", err)
	}
	p := pendingDeploy{env: append([]byte(nil), env...), d: d}
	for {
		select {
		case m.pending <- p:
			return nil
		default:
		}
		select {
		case old := <-m.pending:
			if old.d.ID > p.d.ID {
				p = old // keep the newer one
			}
		default:
		}
	}
}

// reject records and publishes why a deployment message was refused; the
// running model and any update in progress are untouched.
func (m *Machine) reject(err error) {
	m.log.Warn("ota: deployment message refused", "err", err)
	m.mu.Lock()
	m.st.Rejected, m.st.RejectedAt = err.Error(), m.cfg.Now().UTC()
	st := m.st
	m.mu.Unlock()
	m.cfg.Publish(st)
}

// Activate makes an installed version active now (operator command),
// without shadow or probation; the running version becomes the rollback
// target.
func (m *Machine) Activate(ctx context.Context, version string) error {
	return m.command(ctx, command{op: "activate", version: version})
}

// Rollback returns to the previous version: it aborts a shadow run, rolls
// back a candidate on probation, or swaps back to the previous version.
func (m *Machine) Rollback(ctx context.Context) error {
	return m.command(ctx, command{op: "rollback"})
}

func (m *Machine) command(ctx context.Context, c command) error {
	c.reply = make(chan error, 1)
	select {
	case m.cmds <- c:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-c.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run resumes an update a restart interrupted, then handles deployments
// and commands until ctx ends.
func (m *Machine) Run(ctx context.Context) error {
	if err := m.recover(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-m.pending:
			if err := m.execute(ctx, p.env, p.d, Downloading); err != nil && ctx.Err() == nil {
				return err
			}
		case c := <-m.cmds:
			c.reply <- m.idleCommand(ctx, c)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// transition records and publishes a state change. The state file is
// written before the step it names begins.
func (m *Machine) transition(to State, reason string, change func(st *Status)) error {
	m.mu.Lock()
	from := m.st.State
	m.st.State = to
	m.st.Reason = reason
	m.st.Since = m.cfg.Now().UTC()
	if change != nil {
		change(&m.st)
	}
	m.st.History = append(m.st.History, Transition{From: from, To: to, Version: m.st.Version, Reason: reason, At: m.st.Since})
	if n := len(m.st.History); n > maxHistory {
		m.st.History = append([]Transition(nil), m.st.History[n-maxHistory:]...)
	}
	st := m.st
	err := saveStatus(m.cfg.Dir, &st)
	m.mu.Unlock()
	lvl := slog.LevelInfo
	if to == Failed || to == RollingBack || to == RolledBack {
		lvl = slog.LevelWarn
	}
	m.log.Log(context.Background(), lvl, "ota: "+string(from)+" → "+string(to), "version", st.Version, "reason", reason)
	m.cfg.Publish(st)
	return err
}

// progress updates the download progress, publishing at most every 5%.
func (m *Machine) progress(done, total int64) {
	m.mu.Lock()
	prev := m.st.Progress.Percent
	m.st.Progress = Progress{Bytes: done, Total: total}
	if total > 0 {
		m.st.Progress.Percent = 100 * float64(done) / float64(total)
	}
	pub := m.st.Progress.Percent-prev >= 5 || done == total
	st := m.st
	m.mu.Unlock()
	if pub {
		m.cfg.Publish(st)
	}
}

// Pair reports one frame classified by the active model and the shadow
// model. The Host's shadow callback calls it; it is quick.
func (m *Machine) pair(active, shadow Outcome, truth string) {
	m.meterMu.Lock()
	mt, role := m.meter, m.role
	m.meterMu.Unlock()
	if mt == nil {
		return
	}
	if role == Shadow {
		mt.add(Pair{Candidate: shadow, Reference: active, Truth: truth})
	} else {
		mt.add(Pair{Candidate: active, Reference: shadow, Truth: truth})
	}
}

// ActiveError reports a frame the active model failed to classify (the
// agent's observer calls it): during probation it counts against the
// candidate.
func (m *Machine) ActiveError(err error) {
	m.meterMu.Lock()
	mt, role := m.meter, m.role
	m.meterMu.Unlock()
	if mt != nil && role == Probation {
		mt.add(Pair{Candidate: Outcome{Err: err}})
	}
}

func (m *Machine) setMeter(mt *meter, role State) {
	m.meterMu.Lock()
	m.meter, m.role = mt, role
	m.meterMu.Unlock()
}

// version returns the verified installed version v, or nil for "".
func (m *Machine) version(v string) (*store.Version, error) {
	if v == "" {
		return nil, nil
	}
	return m.cfg.Store.Get(v)
}

// downloadPath is where a deployment's bundle is fetched to.
func (m *Machine) downloadPath(d *deploy.Deployment) string {
	return filepath.Join(m.cfg.Dir, "download", d.SHA256+".fovea")
}

// checkDisk refuses a download that would leave less than the reserve.
func (m *Machine) checkDisk(d *deploy.Deployment) error {
	free, err := m.cfg.Store.Free()
	if err != nil || free < 0 {
		return err
	}
	// The bundle, then its extracted members: about twice its size.
	need := 2*d.Size + m.cfg.ReserveBytes
	if free < need {
		return fmt.Errorf("%w: %d bytes free, %d needed (bundle %d ×2 + reserve %d)", ErrDisk, free, need, d.Size, m.cfg.ReserveBytes)
	}
	return nil
}
