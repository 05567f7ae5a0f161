package fleet

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fovea-edge/fovea/firmware/ota"
)

// Outcomes of a device in a stage.
const (
	outPending   = "pending"
	outCommitted = "committed"
	outFailed    = "failed"
)

// outcome judges device d for the deployment id that started at start.
func outcome(d Device, id uint64, version string, start time.Time) (string, string) {
	o := d.OTA
	switch {
	case o != nil && o.Deployment < id && o.Rejected != "" && !o.RejectedAt.Before(start.Add(-time.Second)):
		// Refused before it started (bad signature, expired): the device
		// records no deployment id for it.
		return outFailed, "refused the deployment: " + o.Rejected
	case o == nil || o.Deployment < id:
		return outPending, ""
	case o.Deployment > id:
		return outFailed, fmt.Sprintf("deployment %d replaced this one", o.Deployment)
	case o.State == ota.Committed && o.Version == version:
		return outCommitted, ""
	case o.State == ota.Failed || o.State == ota.RolledBack:
		return outFailed, fmt.Sprintf("%s: %s", o.State, o.Reason)
	}
	return outPending, ""
}

// allowed is how many of n devices may fail under the policy.
func (r *Rollout) allowed(n int) int {
	return int(math.Floor(r.o.Policy.MaxFailureRate*float64(n) + 1e-9))
}

// tally counts stage s's devices.
func (r *Rollout) tally(s *StageState, final bool) (Progress, map[string]string) {
	p := Progress{Stage: r.st.Stage, Stages: len(r.st.Stages), Spec: s.Spec, Devices: len(s.Devices),
		States: map[string]int{}, Elapsed: s.Duration(r.o.Now()), Final: final}
	failures := map[string]string{}
	for _, id := range s.Devices {
		d, _ := r.o.Inventory.Device(id)
		out, why := outcome(d, s.Deployment, r.version, s.Started)
		switch out {
		case outCommitted:
			p.Committed++
		case outFailed:
			p.Failed++
			failures[id] = why
		default:
			state := ""
			if d.OTA != nil && d.OTA.Deployment == s.Deployment {
				state = string(d.OTA.State)
				p.Bytes += d.OTA.Progress.Bytes
			}
			p.States[state]++
			p.Total += r.size
		}
	}
	return p, failures
}

// runStage publishes stage i (unless a resumed rollout did already) and
// waits for its devices.
func (r *Rollout) runStage(ctx context.Context, i int) error {
	s := &r.st.Stages[i]
	if !s.Finished.IsZero() {
		return nil // a resumed rollout that stopped right after this stage
	}
	if s.Deployment == 0 {
		if err := r.assign(i); err != nil {
			return err
		}
		if len(s.Devices) == 0 {
			r.log.Info("stage adds no device", "stage", s.Spec)
			return nil
		}
	}
	if err := r.publishStage(ctx, i); err != nil {
		return err
	}
	timer := time.NewTimer(time.Until(s.Started.Add(r.o.Timeout)))
	defer timer.Stop()
	timedOut := false
	for {
		changed := r.o.Inventory.Changed()
		p, failures := r.tally(s, false)
		pending := p.Devices - p.Committed - p.Failed
		if timedOut {
			for _, id := range s.Devices {
				d, _ := r.o.Inventory.Device(id)
				if out, _ := outcome(d, s.Deployment, r.version, s.Started); out == outPending {
					failures[id] = fmt.Sprintf("no commit within %v (%s)", r.o.Timeout, describe(d, s.Deployment))
				}
			}
			p.Failed += pending
			pending = 0
		}
		over := p.Failed > r.allowed(p.Devices)
		if pending == 0 || over {
			p.Final = true
			r.o.Progress(p)
			s.Committed, s.Failed, s.Failures = p.Committed, p.Failed, failures
			s.Finished = r.o.Now().UTC()
			r.st.Updated = s.Finished
			if over {
				return r.halt(ctx, i, fmt.Sprintf("stage %s: %d of %d devices failed (at most %d allowed by max_failure_rate=%g): %s",
					s.Spec, p.Failed, p.Devices, r.allowed(p.Devices), r.o.Policy.MaxFailureRate, firstFailure(failures)))
			}
			r.log.Info("stage complete", "stage", s.Spec, "committed", p.Committed, "failed", p.Failed, "took", s.Duration(s.Finished))
			return publishState(ctx, r.o.Client, r.o.Topics, r.st)
		}
		r.o.Progress(p)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-timer.C:
			timedOut = true
		}
	}
}

// describe says where device d stands, for a timeout message.
func describe(d Device, id uint64) string {
	switch {
	case d.Presence && !d.Online:
		return "offline"
	case d.OTA == nil:
		return "no OTA status"
	case d.OTA.Deployment < id:
		return "has not picked the deployment up"
	}
	return "still " + string(d.OTA.State)
}

func firstFailure(f map[string]string) string {
	ids := make([]string, 0, len(f))
	for id := range f {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		return ""
	}
	s := ids[0] + ": " + f[ids[0]]
	if len(ids) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(ids)-1)
	}
	return s
}
