package ota

import (
	"context"
	"fmt"

	"github.com/fovea-edge/fovea/firmware/deploy"
)

// recover continues the update a restart interrupted, from the persisted
// state.
func (m *Machine) recover(ctx context.Context) error {
	st := m.Status()
	if !st.State.busy() {
		return nil
	}
	m.log.Info("ota: resuming after a restart", "state", st.State, "version", st.Version)
	if st.State == RollingBack {
		return m.rollback(ctx, st.Reason)
	}
	d, err := deploy.Decode(st.Envelope, m.cfg.Trust)
	if err != nil {
		// The key was removed from the trust list, or the state file was
		// damaged: do not continue what can no longer be verified.
		reason := fmt.Sprintf("the deployment in progress no longer verifies: %v", err)
		if st.State == Activating || st.State == Probation {
			return m.rollback(ctx, reason)
		}
		return m.transition(Failed, reason, func(s *Status) { s.Envelope = nil })
	}
	switch st.State {
	case Activating:
		return m.execute(ctx, st.Envelope, d, Activating)
	case Probation:
		restarts := st.Restarts + 1
		if restarts > m.cfg.MaxProbationRestarts {
			return m.rollback(ctx, fmt.Sprintf("probation: the agent restarted %d times with %s active", restarts, st.Version))
		}
		err := m.transition(Probation, fmt.Sprintf("probation restarts after an agent restart (%d of %d allowed)", restarts, m.cfg.MaxProbationRestarts), func(s *Status) { s.Restarts = restarts })
		if err != nil {
			return err
		}
		return m.execute(ctx, st.Envelope, d, Probation)
	default:
		return m.execute(ctx, st.Envelope, d, st.State)
	}
}
