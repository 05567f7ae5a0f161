package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
)

// Phases of a rollout.
const (
	Running = "running"
	Done    = "done"
	Halted  = "halted"
)

// State is the rollout's progress, retained on Topics.Rollout so that a
// restarted `fovea fleet deploy` resumes. It is not signed: it only steers
// the operator's tool; devices act on signed deployments alone.
type State struct {
	V       int    `json:"v"`
	Group   string `json:"group"`
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	// Phase is running, done or halted; Stage the index of the stage in
	// progress (or the last one).
	Phase  string       `json:"phase"`
	Stage  int          `json:"stage"`
	Stages []StageState `json:"stages"`
	// Reason says why the rollout halted.
	Reason  string    `json:"reason,omitempty"`
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
}

// StageState is one stage of a rollout.
type StageState struct {
	Spec string `json:"spec"`
	// Deployment is the id of the stage's deployment, 0 until published.
	Deployment uint64   `json:"deployment,omitempty"`
	Devices    []string `json:"devices,omitempty"`
	Committed  int      `json:"committed"`
	Failed     int      `json:"failed"`
	// Failures maps each failed device to its reason.
	Failures map[string]string `json:"failures,omitempty"`
	Started  time.Time         `json:"started,omitzero"`
	Finished time.Time         `json:"finished,omitzero"`
}

// Duration is how long the stage took (so far, when not finished).
func (s StageState) Duration(now time.Time) time.Duration {
	if s.Started.IsZero() {
		return 0
	}
	if s.Finished.IsZero() {
		return now.Sub(s.Started)
	}
	return s.Finished.Sub(s.Started)
}

// stateVersion is State.V.
const stateVersion = 1

// stateWatch holds the latest retained State of a group.
type stateWatch struct {
	mu  sync.Mutex
	st  *State // guarded by mu
	err error  // guarded by mu
}

func (w *stateWatch) deliver(m fetch.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(m.Payload) == 0 {
		w.st, w.err = nil, nil
		return
	}
	var st State
	if err := json.Unmarshal(m.Payload, &st); err != nil {
		w.err = fmt.Errorf("retained rollout state on %s is not valid JSON: %w", m.Topic, err)
		return
	}
	if st.V != stateVersion {
		w.err = fmt.Errorf("retained rollout state on %s has version %d; this build reads %d", m.Topic, st.V, stateVersion)
		return
	}
	if len(st.Stages) == 0 || st.Stage < 0 || st.Stage >= len(st.Stages) || st.SHA256 == "" {
		w.err = fmt.Errorf("retained rollout state on %s is inconsistent (stage %d of %d); clear it with an empty retained message", m.Topic, st.Stage, len(st.Stages))
		return
	}
	w.st, w.err = &st, nil
}

func (w *stateWatch) get() (*State, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st, w.err
}

// ReadState returns the retained rollout state of group, nil when there
// is none. c must be connected; it waits up to wait for the message.
func ReadState(ctx context.Context, c Client, t Topics, group string, wait time.Duration) (*State, error) {
	w := &stateWatch{}
	got := make(chan struct{}, 1)
	c.Subscribe(t.Rollout(group), func(m fetch.Message) {
		w.deliver(m)
		select {
		case got <- struct{}{}:
		default:
		}
	})
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-got:
	case <-timer.C:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return w.get()
}

func publishState(ctx context.Context, c Client, t Topics, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := c.Publish(ctx, fetch.Message{Topic: t.Rollout(st.Group), Payload: b, Retain: true}); err != nil {
		return fmt.Errorf("fleet: saving the rollout state: %w", err)
	}
	return nil
}
