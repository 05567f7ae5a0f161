package monitor

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/fovea-edge/fovea/monitor/capture"
)

var (
	// ErrUnknownCamera is returned for feedback on a camera the monitor
	// has not seen.
	ErrUnknownCamera = errors.New("unknown camera")
	// ErrUnknownResult is returned for feedback on a result that is not
	// among the camera's recent results (see docs/monitoring.md).
	ErrUnknownResult = errors.New("result not among the recent results")
	// ErrInvalidLabel is returned for feedback with an empty label.
	ErrInvalidLabel = errors.New("invalid label")
)

// Monitor watches every camera. It is safe for concurrent use; results of
// one camera are processed one at a time.
type Monitor struct {
	cfg     Config
	capture *capture.Capturer

	mu   sync.Mutex
	cams map[string]*camState // guarded by mu
	offs sync.Pool
}

// New returns a monitor for cfg (defaults applied, then validated).
func New(cfg Config, static capture.Static) (*Monitor, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("monitor.New: %w", err)
	}
	m := &Monitor{cfg: cfg, capture: capture.New(cfg.Capture, static), cams: map[string]*camState{}}
	m.offs.New = func() any { return new(capture.Offer) }
	return m, nil
}

// Config returns the configuration in effect.
func (m *Monitor) Config() Config { return m.cfg }

// Capturer returns the sample capturer (for Expire, Forget, Restore and
// its statistics).
func (m *Monitor) Capturer() *capture.Capturer { return m.capture }

func (m *Monitor) cam(id string, create bool) *camState {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.cams[id]
	if c == nil && create {
		c = newCamState(id, &m.cfg)
		m.cams[id] = c
	}
	return c
}

// SetProfile gives camera a reference profile; the parts the profile
// lacks are learned over the warm-up.
func (m *Monitor) SetProfile(camera string, p *Profile) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("monitor.SetProfile %s: %w", camera, err)
	}
	c := m.cam(camera, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setProfile(p)
	return nil
}

// Profile returns camera's current reference (loaded or learned so far);
// save it to reuse it as a profile.
func (m *Monitor) Profile(camera string) (Profile, bool) {
	c := m.cam(camera, false)
	if c == nil {
		return Profile{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.profile, true
}

// Observe runs every test on one result and offers the frame to the
// capture policy. Steady state it allocates nothing.
func (m *Monitor) Observe(f *Frame) Result {
	c := m.cam(f.Camera, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	var r Result
	drifting := c.observe(f, &r.Events)
	if f.Image != nil && m.capture.Enabled(f.Camera) && !c.brokenLocked() {
		o := m.offs.Get().(*capture.Offer)
		offerOf(f, drifting, o)
		r.Sample, r.CaptureErr = m.capture.Offer(o)
		*o = capture.Offer{}
		m.offs.Put(o)
	}
	return r
}

// Feedback records an operator's label for the result seq of camera and
// returns the label the model had predicted.
func (m *Monitor) Feedback(camera string, seq uint64, label string) (predicted string, err error) {
	if label == "" {
		return "", fmt.Errorf("monitor.Feedback: %w: the label is empty", ErrInvalidLabel)
	}
	c := m.cam(camera, false)
	if c == nil {
		return "", fmt.Errorf("monitor.Feedback: camera %q: %w", camera, ErrUnknownCamera)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.lab.predicted(seq)
	if !ok {
		return "", fmt.Errorf("monitor.Feedback: camera %q seq %d: %w (the last %d are kept)", camera, seq, ErrUnknownResult, recentPredictions)
	}
	t := indexOf(c.labels, label)
	if t < 0 {
		t = len(c.labels)
	}
	c.lab.add(seq, t, p)
	if p < len(c.labels) {
		return c.labels[p], nil
	}
	return fmt.Sprint(p), nil
}

// RestoreLabel replays a stored feedback label after a restart: the
// result itself is no longer in memory, so the prediction stored with the
// label is used. labels are the model's class names.
func (m *Monitor) RestoreLabel(camera string, labels []string, seq uint64, label, predicted string) {
	c := m.cam(camera, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.labels == nil {
		c.labels = labels
	}
	idx := func(s string) int {
		if i := indexOf(labels, s); i >= 0 {
			return i
		}
		return len(labels)
	}
	c.lab.add(seq, idx(label), idx(predicted))
}

// Ready reports whether camera shows no broken-camera alarm, and the raised
// ones.
func (m *Monitor) Ready(camera string) (bool, []string) {
	c := m.cam(camera, false)
	if c == nil {
		return true, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var bad []string
	for i := range c.health.alarms {
		if c.health.alarms[i].active {
			bad = append(bad, c.health.alarms[i].test)
		}
	}
	return len(bad) == 0, bad
}

// Cameras lists the cameras seen, sorted.
func (m *Monitor) Cameras() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]string, 0, len(m.cams))
	for id := range m.cams {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
