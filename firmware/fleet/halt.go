package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/ota"
)

// RollbackCommand is the agent's command that aborts a shadow run, rolls
// back a candidate on probation, or returns to the previous version.
const RollbackCommand = "model/rollback"

// halt stops the rollout at stage i: it withdraws the retained deployment
// (devices that have not started on it never will), sends a rollback to
// every device of the rollout that runs the new version or is still on
// its way there, waits for them to report it, and records the halt.
func (r *Rollout) halt(ctx context.Context, i int, reason string) error {
	r.log.Warn("halting the rollout", "reason", reason)
	if err := r.o.Client.Publish(ctx, fetch.Message{Topic: DeployTopic(r.o.Group), Retain: true}); err != nil {
		return fmt.Errorf("fleet: withdrawing the deployment: %w", err)
	}
	ids := map[uint64]bool{}
	var devices []string
	for _, s := range r.st.Stages[:i+1] {
		ids[s.Deployment] = true
		devices = append(devices, s.Devices...)
	}
	var targets []string
	for _, id := range devices {
		d, _ := r.o.Inventory.Device(id)
		if r.needsRollback(d, ids) {
			targets = append(targets, id)
			payload, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("fleet-%d-%s", r.st.Stages[i].Deployment, id)})
			if err := r.o.Client.Publish(ctx, fetch.Message{Topic: CommandTopic(id, RollbackCommand), Payload: payload}); err != nil {
				r.log.Warn("sending the rollback", "device", id, "err", err)
			}
		}
	}
	left := r.waitRolledBack(ctx, targets, ids)
	r.st.Phase = Halted
	r.st.Reason = reason
	if len(targets) > 0 {
		r.st.Reason += fmt.Sprintf("; rolled back %d of %d devices that had taken the version", len(targets)-len(left), len(targets))
		if len(left) > 0 {
			r.st.Reason += fmt.Sprintf(" (not confirmed within %v: %v)", r.o.RollbackTimeout, left)
		}
	}
	r.st.Updated = r.o.Now().UTC()
	if err := publishState(ctx, r.o.Client, r.st); err != nil {
		return err
	}
	return fmt.Errorf("fleet: %w: %s", ErrHalted, r.st.Reason)
}

// needsRollback reports whether d runs the rollout's version or is busy
// with one of its deployments.
func (r *Rollout) needsRollback(d Device, ids map[uint64]bool) bool {
	o := d.OTA
	if o == nil {
		return false
	}
	if o.Active == r.version {
		return true
	}
	switch o.State {
	case ota.Idle, ota.Committed, ota.Failed, ota.RolledBack:
		return false
	}
	return ids[o.Deployment]
}

// waitRolledBack waits until none of targets needs a rollback any more,
// and returns those that still do at the timeout.
func (r *Rollout) waitRolledBack(ctx context.Context, targets []string, ids map[uint64]bool) []string {
	timer := time.NewTimer(r.o.RollbackTimeout)
	defer timer.Stop()
	for {
		changed := r.o.Inventory.Changed()
		var left []string
		for _, id := range targets {
			if d, _ := r.o.Inventory.Device(id); r.needsRollback(d, ids) {
				left = append(left, id)
			}
		}
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return left
		case <-timer.C:
			return slices.Clip(left)
		case <-changed:
		}
	}
}
