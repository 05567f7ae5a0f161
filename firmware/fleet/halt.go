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

// RollbackCommand is the agent's command that returns an idle device to
// its previous version.
const RollbackCommand = "model/rollback"

// halt stops the rollout at stage i. It withdraws the retained deployment
// (devices that have not started on it never will), lets the devices
// still busy with the rollout finish their own gates (a failing candidate
// rolls itself back), sends model/rollback once to every device of the
// rollout, this stage's and earlier ones', that has committed the new
// version, waits for all of them to settle, and records the halt.
//
// Devices busy with the update are not interrupted: model/rollback is
// relative ("go to the previous version"), so a command that reached a
// device just after it rolled back by itself would take it one version
// further back. An idle device that committed the version does exactly
// one step back.
func (r *Rollout) halt(ctx context.Context, i int, reason string) error {
	r.log.Warn("halting the rollout", "reason", reason)
	if err := r.o.Client.Publish(ctx, fetch.Message{Topic: r.o.Topics.Deploy(r.o.Group), Retain: true}); err != nil {
		return fmt.Errorf("fleet: withdrawing the deployment: %w", err)
	}
	ids := map[uint64]bool{}
	var devices []string
	for _, s := range r.st.Stages[:i+1] {
		ids[s.Deployment] = true
		devices = append(devices, s.Devices...)
	}
	sent, left := r.rollBack(ctx, devices, ids)
	r.st.Phase = Halted
	r.st.Reason = reason
	if len(sent) > 0 {
		r.st.Reason += fmt.Sprintf("; sent model/rollback to %d devices that had committed the version", len(sent))
	}
	if len(left) > 0 {
		r.st.Reason += fmt.Sprintf("; not back within %v: %v", r.o.RollbackTimeout, left)
	}
	r.st.Updated = r.o.Now().UTC()
	if err := publishState(ctx, r.o.Client, r.o.Topics, r.st); err != nil {
		return err
	}
	return fmt.Errorf("fleet: %w: %s", ErrHalted, r.st.Reason)
}

// idle reports whether s is not part of an update in progress.
func idle(s ota.State) bool {
	switch s {
	case ota.Idle, ota.Committed, ota.Failed, ota.RolledBack:
		return true
	}
	return false
}

// rollBack waits until no device of devices is busy with one of the
// rollout's deployments ids or runs its version, sending model/rollback
// once to each that is idle on the version. It returns the devices it
// sent the command to and those not settled at the timeout.
func (r *Rollout) rollBack(ctx context.Context, devices []string, ids map[uint64]bool) (sent, left []string) {
	timer := time.NewTimer(r.o.RollbackTimeout)
	defer timer.Stop()
	commanded := map[string]bool{}
	for {
		changed := r.o.Inventory.Changed()
		left = left[:0]
		for _, id := range devices {
			d, _ := r.o.Inventory.Device(id)
			o := d.OTA
			switch {
			case o == nil:
			case !idle(o.State) && ids[o.Deployment]:
				left = append(left, id) // judging the candidate itself
			case o.Active == r.version:
				left = append(left, id)
				if !commanded[id] {
					commanded[id] = true
					sent = append(sent, id)
					r.sendRollback(ctx, id)
				}
			}
		}
		if len(left) == 0 {
			return sent, nil
		}
		select {
		case <-ctx.Done():
			return sent, slices.Clone(left)
		case <-timer.C:
			return sent, slices.Clone(left)
		case <-changed:
		}
	}
}

func (r *Rollout) sendRollback(ctx context.Context, device string) {
	payload, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("fleet-rollback-%s-%s", r.version, device)})
	if err := r.o.Client.Publish(ctx, fetch.Message{Topic: r.o.Topics.Command(device, RollbackCommand), Payload: payload}); err != nil {
		r.log.Warn("sending the rollback", "device", device, "err", err)
		return
	}
	r.log.Info("rollback sent", "device", device)
}
