package ota

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/store"
)

// errAborted marks a run stopped by an operator's rollback command.
var errAborted = errors.New("stopped by an operator rollback")

// execute runs deployment d from state from on. It returns an error only
// for failures of the device itself (the state file cannot be written);
// a refused or failed candidate ends in Failed or RolledBack.
func (m *Machine) execute(ctx context.Context, env []byte, d *deploy.Deployment, from State) error {
	gates := d.Gates.Merge(m.gates)
	if st := m.Status(); from == Downloading && st.Active == d.Version {
		// A later stage of a rollout this device already took part in.
		if v, err := m.cfg.Store.Get(d.Version); err == nil && v.Manifest.Name == d.Name {
			return m.transition(Committed, fmt.Sprintf("deployment %d: %s %s is already running", d.ID, d.Name, d.Version), func(st *Status) {
				st.Version, st.Deployment, st.LastApplied, st.Envelope = d.Version, d.ID, d.ID, nil
			})
		}
	}
	if from == Downloading {
		err := m.transition(Downloading, fmt.Sprintf("deployment %d (stage %s): %s %s from %s", d.ID, d.Stage, d.Name, d.Version, source(d)), func(st *Status) {
			st.Version, st.Deployment, st.LastApplied = d.Version, d.ID, d.ID
			st.Envelope, st.Gates, st.Restarts, st.Progress = env, nil, 0, Progress{Total: d.Size}
		})
		if err != nil {
			return err
		}
	}
	steps := []struct {
		state State
		run   func(context.Context, *deploy.Deployment, deploy.Gates) (string, error)
	}{
		{Downloading, m.download},
		{Verifying, m.verify},
		{Staged, func(context.Context, *deploy.Deployment, deploy.Gates) (string, error) { return "", nil }},
		{SelfTest, m.selfTestStep},
		{Shadow, m.shadowStep},
	}
	started := false
	for i, s := range steps {
		if s.state == from {
			started = true
		}
		if !started {
			continue
		}
		reason, err := s.run(ctx, d, gates)
		if ctx.Err() != nil {
			return nil // resumed from the state file on the next start
		}
		if err != nil {
			return m.fail(d, err)
		}
		next := Activating
		if i+1 < len(steps) {
			next = steps[i+1].state
		}
		if err := m.transition(next, reason, nil); err != nil {
			return err
		}
	}
	if !started && from != Activating && from != Probation {
		return fmt.Errorf("ota: cannot resume from state %s", from)
	}
	if from != Probation {
		if err := m.activate(ctx, d); err != nil {
			return m.rollback(ctx, fmt.Sprintf("activation failed: %v", err))
		}
	}
	meas, err := m.gateRun(ctx, Probation, d.Version, gates)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return m.rollback(ctx, "probation: "+err.Error())
	}
	if err := m.transition(Committed, "probation passed: "+meas.String(), func(st *Status) { st.Gates, st.Envelope = meas, nil }); err != nil {
		return err
	}
	if removed, err := m.cfg.Store.Prune(m.cfg.KeepVersions); err != nil {
		m.log.Warn("ota: pruning old versions", "err", err)
	} else if len(removed) > 0 {
		m.log.Info("ota: removed old versions", "versions", removed)
	}
	return nil
}

func source(d *deploy.Deployment) string {
	if d.Transfer != "" {
		return "mqtt transfer " + d.Transfer
	}
	return d.URL
}

// fail ends an update before activation: the running model was never
// touched. The candidate's files are removed unless it is in use.
func (m *Machine) fail(d *deploy.Deployment, cause error) error {
	_ = os.Remove(m.downloadPath(d))
	if a, p, _ := m.cfg.Store.Pointers(); d.Version != a && d.Version != p {
		if err := m.cfg.Store.Remove(d.Version); err != nil && !errors.Is(err, store.ErrNotFound) {
			m.log.Warn("ota: removing the refused candidate", "version", d.Version, "err", err)
		}
	}
	return m.transition(Failed, cause.Error(), func(st *Status) { st.Envelope = nil })
}

func (m *Machine) download(ctx context.Context, d *deploy.Deployment, _ deploy.Gates) (string, error) {
	if v, err := m.cfg.Store.Get(d.Version); err == nil && v.Manifest.Name == d.Name {
		return fmt.Sprintf("version %s is installed already: no download", d.Version), nil
	}
	if err := m.checkDisk(d); err != nil {
		return "", err
	}
	dst := m.downloadPath(d)
	if _, err := os.Stat(dst); err == nil {
		return "bundle downloaded before the restart", nil
	}
	if err := m.cfg.Fetcher.Fetch(ctx, d, dst, m.progress); err != nil {
		return "", fmt.Errorf("%w: %w", ErrFetch, err)
	}
	return fmt.Sprintf("downloaded %d bytes", d.Size), nil
}

func (m *Machine) verify(_ context.Context, d *deploy.Deployment, _ deploy.Gates) (string, error) {
	st := m.Status()
	v, err := m.cfg.Store.Get(d.Version)
	if err != nil || v.Manifest.Name != d.Name {
		path := m.downloadPath(d)
		vb, err := bundle.VerifyFile(path, m.cfg.Trust, bundle.Limits{})
		if err != nil {
			return "", err
		}
		if vb.Manifest.Name != d.Name || vb.Manifest.Version != d.Version {
			return "", fmt.Errorf("%w: bundle is %s %s; the deployment names %s %s", ErrWrongBundle, vb.Manifest.Name, vb.Manifest.Version, d.Name, d.Version)
		}
		if err := bundle.CheckInstall(vb.Manifest, st.Active, m.cfg.AgentVersion, d.AllowDowngrade); err != nil {
			return "", err
		}
		if v, err = m.cfg.Store.Install(path); err != nil {
			return "", err
		}
		_ = os.Remove(path)
	} else if err := bundle.CheckInstall(v.Manifest, st.Active, m.cfg.AgentVersion, d.AllowDowngrade); err != nil {
		return "", err
	}
	return fmt.Sprintf("signature by key %s and %d files verified; installed as models/%s", v.Manifest.KeyID, len(v.Manifest.Files), v.Version), nil
}

func (m *Machine) selfTestStep(ctx context.Context, d *deploy.Deployment, g deploy.Gates) (string, error) {
	v, err := m.cfg.Store.Get(d.Version)
	if err != nil {
		return "", err
	}
	return m.selfTest(ctx, v, g)
}

func (m *Machine) shadowStep(ctx context.Context, d *deploy.Deployment, g deploy.Gates) (string, error) {
	if g.SkipShadow {
		return "shadow skipped (skip_shadow)", nil
	}
	meas, err := m.gateRun(ctx, Shadow, d.Version, g)
	if err != nil {
		return "", fmt.Errorf("shadow: %w", err)
	}
	m.mu.Lock()
	m.st.Gates = meas
	m.mu.Unlock()
	return "shadow passed: " + meas.String(), nil
}

// activate swaps the candidate in: the store pointer first (so a restart
// starts on it), then the running model.
func (m *Machine) activate(_ context.Context, d *deploy.Deployment) error {
	v, err := m.cfg.Store.Get(d.Version)
	if err != nil {
		return err
	}
	st := m.Status()
	if st.State != Activating {
		return fmt.Errorf("ota: activate in state %s", st.State)
	}
	if st.Active != d.Version {
		// First time here (not a resume after the pointer moved).
		err := m.transition(Activating, "switching the running model", func(s *Status) {
			s.RollbackTo, s.RollbackPrevious = s.Active, s.Previous
		})
		if err != nil {
			return err
		}
		if err := m.cfg.Store.SetActive(d.Version); err != nil {
			return err
		}
	}
	if err := m.cfg.Host.Activate(v); err != nil {
		return fmt.Errorf("%w: %w", ErrModelLoad, err)
	}
	m.syncPointers()
	return m.transition(Probation, fmt.Sprintf("%s is active (sha256 %.12s); watching it", v.Version, v.SHA256()), nil)
}

// rollback restores the version that ran before the candidate and
// removes the candidate.
func (m *Machine) rollback(_ context.Context, reason string) error {
	if m.Status().State != RollingBack {
		if err := m.transition(RollingBack, reason, nil); err != nil {
			return err
		}
	}
	st := m.Status()
	m.cfg.Host.StopShadow()
	to, err := m.version(st.RollbackTo)
	if err != nil {
		// The version to return to no longer verifies: the configured
		// model is the last resort.
		m.log.Error("ota: rollback target refused; returning to the configured model", "version", st.RollbackTo, "err", err)
		to, st.RollbackTo, st.RollbackPrevious = nil, "", ""
	}
	if err := m.cfg.Store.SetPointers(st.RollbackTo, st.RollbackPrevious); err != nil {
		return err
	}
	if err := m.cfg.Host.Activate(to); err != nil {
		// The old model ran minutes ago; if it cannot load now the agent
		// restarts on it from the store pointer.
		return fmt.Errorf("ota: reactivating %q: %w", st.RollbackTo, err)
	}
	if st.Version != st.RollbackTo && st.Version != st.RollbackPrevious {
		if err := m.cfg.Store.Remove(st.Version); err != nil && !errors.Is(err, store.ErrNotFound) {
			m.log.Warn("ota: removing the rolled back version", "version", st.Version, "err", err)
		}
	}
	m.syncPointers()
	return m.transition(RolledBack, st.Reason, func(s *Status) { s.Envelope = nil })
}

// gateRun runs a shadow or probation measurement and judges it.
func (m *Machine) gateRun(ctx context.Context, phase State, version string, g deploy.Gates) (*Measure, error) {
	frames, dur := g.ShadowFrames, g.ShadowDuration.D()
	var other *store.Version
	var err error
	if phase == Shadow {
		if other, err = m.cfg.Store.Get(version); err != nil {
			return nil, err
		}
	} else {
		frames, dur = g.ProbationFrames, g.ProbationDuration.D()
		// The previous model runs in the shadow for agreement.
		if other, err = m.version(m.Status().RollbackTo); err != nil {
			return nil, err
		}
	}
	mt := newMeter(phase, m.cfg.Now())
	m.setMeter(mt, phase)
	defer m.setMeter(nil, "")
	if err := m.cfg.Host.StartShadow(other, m.pair); err != nil {
		if phase == Shadow {
			return nil, fmt.Errorf("%w: %w", ErrModelLoad, err)
		}
		// Probation continues without agreement figures.
		m.log.Warn("ota: the previous model cannot run in the shadow; probation without agreement", "err", err)
		g.MinAgreement, g.MaxLatencyRatio = 0, 0
	}
	defer m.cfg.Host.StopShadow()
	timer := time.NewTimer(dur)
	defer timer.Stop()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for mt.count() < frames {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			frames = 0 // time is up: judge what there is
		case <-mt.notify:
		case <-tick.C:
			meas := mt.measure(m.cfg.Now())
			m.mu.Lock()
			m.st.Gates = meas
			st := m.st
			m.mu.Unlock()
			m.cfg.Publish(st)
		case c := <-m.cmds:
			if c.op == "rollback" {
				c.reply <- nil
				return nil, errAborted
			}
			c.reply <- fmt.Errorf("ota: %w (%s of %s)", ErrBusy, phase, version)
		}
	}
	meas := mt.measure(m.cfg.Now())
	m.mu.Lock()
	m.st.Gates = meas
	m.mu.Unlock()
	if why := meas.judge(g); why != "" {
		return meas, fmt.Errorf("%s (%s)", why, meas)
	}
	return meas, nil
}
