// Package fleet is the operator's side of a staged rollout: it publishes a
// signed deployment to a device group stage by stage, waits for the
// devices of each stage to report, halts and rolls back when too many
// fail, and keeps its own progress in a retained MQTT message so that a
// restarted operator command resumes. There is no Fovea server: the broker
// (any MQTT 3.1.1/5 broker or cluster) holds all state.
//
// Topics:
//
//	fovea/groups/<group>/deploy    the signed deployment (retained)
//	fovea/groups/<group>/rollout   this package's progress (retained)
//	fovea/<device>/ota             each device's OTA status (retained)
//	fovea/<device>/cmd/model/rollback  the rollback command on a halt
package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/firmware/ota"
)

// Broker is what fleet needs from an MQTT client.
type Broker interface {
	// Publish sends payload with QoS 1, retained when retain is set.
	Publish(ctx context.Context, topic string, payload []byte, retain bool) error
	// Subscribe delivers every message on filter (retained ones too) to
	// fn, on the client's goroutine.
	Subscribe(ctx context.Context, filter string, fn func(topic string, payload []byte)) error
}

// Topics.
func DeployTopic(group string) string  { return "fovea/groups/" + group + "/deploy" }
func RolloutTopic(group string) string { return "fovea/groups/" + group + "/rollout" }

// StatusFilter matches every device's OTA status.
const StatusFilter = "fovea/+/ota"

// ErrStages marks a bad --stages list.
var ErrStages = errors.New("invalid stages (want e.g. 1,10%,100%)")

// Stage is a cumulative rollout target: Count devices, or Percent of the
// group.
type Stage struct {
	Count   int     `json:"count,omitempty"`
	Percent float64 `json:"percent,omitempty"`
}

func (s Stage) String() string {
	if s.Percent > 0 {
		return strconv.FormatFloat(s.Percent, 'f', -1, 64) + "%"
	}
	return strconv.Itoa(s.Count)
}

// ParseStages reads "1,10%,100%": each stage a device count or a percentage
// of the group, cumulative and growing; the last must reach 100%.
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		var st Stage
		if p, ok := strings.CutSuffix(f, "%"); ok {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil || v <= 0 || v > 100 {
				return nil, fmt.Errorf("%w: %q", ErrStages, f)
			}
			st.Percent = v
		} else {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%w: %q", ErrStages, f)
			}
			st.Count = n
		}
		out = append(out, st)
	}
	if len(out) == 0 || out[len(out)-1].Percent != 100 {
		return nil, fmt.Errorf("%w: the last stage must be 100%%", ErrStages)
	}
	return out, nil
}

// Targets returns how many devices of n each stage reaches (cumulative,
// non-decreasing, the last n).
func Targets(stages []Stage, n int) []int {
	out := make([]int, len(stages))
	prev := 0
	for i, s := range stages {
		t := s.Count
		if s.Percent > 0 {
			t = int(math.Ceil(s.Percent * float64(n) / 100))
		}
		t = min(max(t, prev), n)
		out[i], prev = t, t
	}
	return out
}

// Fleet tracks the retained OTA statuses of a group's devices.
type Fleet struct {
	group string

	mu      sync.Mutex
	devices map[string]ota.Status // by device id
	changed chan struct{}         // a token after every update
}

// Watch subscribes to the devices' statuses; only devices of group are
// kept.
func Watch(ctx context.Context, b Broker, group string) (*Fleet, error) {
	f := &Fleet{group: group, devices: map[string]ota.Status{}, changed: make(chan struct{}, 1)}
	err := b.Subscribe(ctx, StatusFilter, func(topic string, payload []byte) {
		var st ota.Status
		if json.Unmarshal(payload, &st) != nil || st.Group != group || st.Device == "" {
			return
		}
		f.mu.Lock()
		f.devices[st.Device] = st
		f.mu.Unlock()
		select {
		case f.changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return nil, fmt.Errorf("fleet.Watch: %w", err)
	}
	return f, nil
}

// Devices returns the known devices' statuses, sorted by device id.
func (f *Fleet) Devices() []ota.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]ota.Status, 0, len(f.devices))
	for _, st := range f.devices {
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b ota.Status) int { return strings.Compare(a.Device, b.Device) })
	return out
}

// Changed returns a channel that receives a token after updates.
func (f *Fleet) Changed() <-chan struct{} { return f.changed }

// Settle waits until no new device has appeared for quiet, or ctx ends:
// retained statuses arrive right after subscribing.
func (f *Fleet) Settle(ctx context.Context, quiet time.Duration) {
	t := time.NewTimer(quiet)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-f.changed:
			t.Reset(quiet)
		}
	}
}
