package ota

import (
	"context"
	"fmt"
)

// idleCommand runs an operator command while no update is in progress.
func (m *Machine) idleCommand(ctx context.Context, c command) error {
	switch c.op {
	case "activate":
		return m.activateVersion(ctx, c.version)
	case "rollback":
		st := m.Status()
		if st.Previous == "" && st.Active == "" {
			return fmt.Errorf("ota.Rollback: %w", ErrNoPrevious)
		}
		if st.Previous == "" {
			// Back to the configured model.
			return m.switchTo(ctx, "", "rolled back by the operator to the configured model", RolledBack)
		}
		return m.switchTo(ctx, st.Previous, "rolled back by the operator to "+st.Previous, RolledBack)
	}
	return fmt.Errorf("ota: unknown command %q", c.op)
}

func (m *Machine) activateVersion(ctx context.Context, version string) error {
	if version != "" {
		if _, err := m.cfg.Store.Get(version); err != nil {
			return fmt.Errorf("ota.Activate: %w", err)
		}
	}
	what := version
	if what == "" {
		what = "the configured model"
	}
	return m.switchTo(ctx, version, "activated by the operator: "+what, Committed)
}

// switchTo makes version (or the configured model for "") active at once,
// the running one becoming previous.
func (m *Machine) switchTo(_ context.Context, version, reason string, final State) error {
	st := m.Status()
	if st.Active == version {
		return nil
	}
	v, err := m.version(version)
	if err != nil {
		return err
	}
	next, prev := version, st.Active
	if final == RolledBack {
		prev = "" // a rollback does not offer to roll forward again
	}
	if err := m.cfg.Store.SetPointers(next, prev); err != nil {
		return err
	}
	if err := m.cfg.Host.Activate(v); err != nil {
		// Put the pointers back: the running model did not change.
		_ = m.cfg.Store.SetPointers(st.Active, st.Previous)
		return fmt.Errorf("ota: activating %q: %w", version, err)
	}
	m.syncPointers()
	return m.transition(final, reason, func(s *Status) { s.Version = version })
}
