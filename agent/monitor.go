package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/monitor"
	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/monitor/feedback"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// The monitor's files in the data directory.
const (
	FeedbackFile = "feedback.jsonl"
	SamplesDir   = "samples"
)

// Queue sizes between the workers and the monitor's own goroutine: events
// and samples are handed over without blocking a worker; past these
// bounds the oldest waiting event, or the new sample, is dropped and
// counted.
const (
	maxPendingEvents  = 1024
	maxPendingSamples = 16
	recentEvents      = 50
	retryPublish      = 5 * time.Second
)

// monitorFeature wires package monitor into the agent: it observes every
// result, publishes the monitor's events on <prefix>events (and logs
// them), stores captured samples and feedback labels, and feeds metrics,
// /api/status and /readyz.
type monitorFeature struct {
	a   *Agent
	m   *monitor.Monitor
	log *slog.Logger

	wake    chan struct{} // a new event or sample is waiting
	mu      sync.Mutex
	pending []monitor.Event   // guarded by mu; oldest first
	samples []*capture.Sample // guarded by mu
	recent  []monitor.Event   // guarded by mu; newest last
	hist    history           // guarded by mu

	store *feedbackStore // set by run before the HTTP server and syncer start

	published, dropped, sampleDrops atomic.Uint64
}

func newMonitorFeature(a *Agent) (*monitorFeature, error) {
	cfg := a.cfg.Monitor
	if cfg == nil || !cfg.Enabled {
		return nil, nil
	}
	m, err := monitor.New(*cfg, capture.Static{Device: a.cfg.DeviceID, ConfigHash: a.hash, AgentVersion: Version})
	if err != nil {
		return nil, fmt.Errorf("agent.New: %w", err)
	}
	f := &monitorFeature{a: a, m: m, log: a.log.With("part", "monitor"), wake: make(chan struct{}, 1)}
	a.AddObserver(f)
	a.OnSyncer(f.register)
	a.metrics.reg.MustRegister(&monitorCollector{f: f})
	return f, nil
}

// Observe feeds one result to the monitor (on a worker's goroutine).
func (f *monitorFeature) Observe(o *Observation) {
	fr := monitor.Frame{Camera: o.Camera, Seq: o.Seq, Time: o.Time, Image: o.Frame, Truth: o.Truth, Shadow: o.Shadow,
		Model: capture.Model{Name: o.Model.Name, Version: o.Model.Version, SHA256: o.Model.SHA256}}
	if o.Err == nil {
		fr.Top, fr.Embedding = o.Pred.Top, o.Embedding
		if lm := f.a.models.Active(); lm != nil && lm.Ref.SHA256 == o.Model.SHA256 {
			fr.Labels = lm.Labels
			if fr.Labels == nil {
				fr.Labels = lm.Info.Labels
			}
			if len(lm.Info.Outputs) > 0 {
				fr.Classes = lm.Info.Outputs[0].NumElements()
			}
		}
	}
	r := f.m.Observe(&fr)
	if r.CaptureErr != nil {
		f.log.Warn("sample capture failed", "camera", o.Camera, "seq", o.Seq, "err", r.CaptureErr)
	}
	if len(r.Events) == 0 && r.Sample == nil {
		return
	}
	f.mu.Lock()
	for _, ev := range r.Events {
		if len(f.pending) >= maxPendingEvents {
			f.pending = f.pending[1:]
			f.dropped.Add(1)
		}
		f.pending = append(f.pending, ev)
		f.recent = append(f.recent, ev)
		if len(f.recent) > recentEvents {
			f.recent = f.recent[1:]
		}
	}
	if r.Sample != nil {
		if len(f.samples) < maxPendingSamples {
			f.samples = append(f.samples, r.Sample)
		} else {
			f.m.Capturer().Forget(r.Sample.ID)
			f.sampleDrops.Add(1)
		}
	}
	f.mu.Unlock()
	for _, ev := range r.Events {
		f.logEvent(ev)
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *monitorFeature) logEvent(ev monitor.Event) {
	level := slog.LevelWarn
	if ev.State == monitor.StateCleared {
		level = slog.LevelInfo
	}
	f.log.Log(context.Background(), level, "monitor "+ev.Kind+" "+ev.State, "camera", ev.Camera, "test", ev.Test,
		"score", ev.Values["score"], "raise", ev.Thresholds.Raise, "clear", ev.Thresholds.Clear,
		"first_seq", ev.Window.FirstSeq, "last_seq", ev.Window.LastSeq, "values", ev.Values)
}

// open opens the feedback store and restores the samples kept by an
// earlier run (before the HTTP server and the syncer start).
func (f *monitorFeature) open() error {
	st, err := openFeedbackStore(filepath.Join(f.a.cfg.DataDir, FeedbackFile))
	if err != nil {
		return fmt.Errorf("agent.Run: monitor: %w", err)
	}
	f.mu.Lock()
	f.store = st
	f.mu.Unlock()
	// Labels given before a restart count again towards online accuracy.
	var labels []string
	if lm := f.a.models.Active(); lm != nil {
		labels = lm.Labels
		if labels == nil {
			labels = lm.Info.Labels
		}
	}
	restored := 0
	st.List("", func(l feedback.Label) bool {
		f.m.RestoreLabel(l.Camera, labels, l.Seq, l.Label, l.Predicted)
		restored++
		return true
	})
	if restored > 0 {
		f.log.Info("feedback labels restored", "count", restored)
	}
	n, err := restoreSamples(f.samplesDir(), f.m.Capturer())
	if err != nil {
		f.log.Warn("listing kept samples", "err", err)
	}
	if n > 0 {
		f.log.Info("kept samples", "count", n, "dir", f.samplesDir())
	}
	return nil
}

func (f *monitorFeature) close() {
	f.mu.Lock()
	st := f.store
	f.store = nil
	f.mu.Unlock()
	if st != nil {
		if err := st.Close(); err != nil {
			f.log.Warn("closing the feedback store", "err", err)
		}
	}
}

func (f *monitorFeature) samplesDir() string { return filepath.Join(f.a.cfg.DataDir, SamplesDir) }

// run publishes events and stores samples until ctx ends; it retries
// events while MQTT is disconnected and expires old samples hourly.
func (f *monitorFeature) run(ctx context.Context) {
	retry := time.NewTicker(retryPublish)
	defer retry.Stop()
	expire := time.NewTicker(time.Hour)
	defer expire.Stop()
	hist := time.NewTicker(historyEvery)
	defer hist.Stop()
	f.sample(time.Now())
	for {
		f.flush(ctx)
		select {
		case <-ctx.Done():
			f.flush(context.WithoutCancel(ctx))
			return
		case <-f.wake:
		case <-retry.C:
		case now := <-expire.C:
			f.expire(now)
		case now := <-hist.C:
			f.sample(now)
		}
	}
}

// flush stores waiting samples and publishes waiting events.
func (f *monitorFeature) flush(ctx context.Context) {
	f.mu.Lock()
	samples := f.samples
	f.samples = nil
	f.mu.Unlock()
	for _, s := range samples {
		if err := writeSample(f.samplesDir(), s); err != nil {
			f.m.Capturer().Forget(s.ID)
			f.log.Error("storing a captured sample", "id", s.ID, "err", err)
			continue
		}
		f.log.Info("sample captured", "id", s.ID, "rule", s.Provenance.Rule, "bytes", len(s.PNG))
	}
	s := f.a.Syncer()
	if s == nil {
		f.mu.Lock()
		f.pending = nil // no MQTT: events are logged, kept in the status and the metrics
		f.mu.Unlock()
		return
	}
	for {
		f.mu.Lock()
		if len(f.pending) == 0 {
			f.mu.Unlock()
			return
		}
		ev := f.pending[0]
		f.mu.Unlock()
		if err := f.publish(ctx, s, ev); err != nil {
			if !errors.Is(err, mqttsync.ErrNotConnected) {
				f.log.Warn("publishing a monitor event", "err", err)
			}
			return // retried on the next event or tick
		}
		f.published.Add(1)
		f.mu.Lock()
		if len(f.pending) > 0 {
			f.pending = f.pending[1:]
		}
		f.mu.Unlock()
	}
}

// EventMessage is the payload on <prefix>events: the monitor's event with
// the device.
type EventMessage struct {
	V      int    `json:"v"`
	Device string `json:"device"`
	monitor.Event
}

func (f *monitorFeature) publish(ctx context.Context, s *mqttsync.Syncer, ev monitor.Event) error {
	b, err := json.Marshal(EventMessage{V: 1, Device: f.a.cfg.DeviceID, Event: ev})
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return s.Publish(pctx, mqttsync.Message{Topic: s.Topic("events"), Payload: b})
}

func (f *monitorFeature) expire(now time.Time) {
	for _, id := range f.m.Capturer().Expire(now) {
		if err := removeSample(f.samplesDir(), id); err != nil {
			f.log.Warn("removing an expired sample", "id", id, "err", err)
		}
	}
}

// recentEvents returns the last events, newest last.
func (f *monitorFeature) recentEvents() []monitor.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]monitor.Event(nil), f.recent...)
}

// problems are the readiness problems: broken cameras.
func (f *monitorFeature) problems() []string {
	var p []string
	for _, id := range f.m.Cameras() {
		if ok, bad := f.m.Ready(id); !ok {
			for _, b := range bad {
				p = append(p, fmt.Sprintf("camera %s: %s frames (monitor)", id, b))
			}
		}
	}
	return p
}

// keptTensor returns the first tensor of keep as the classifier's last
// Classify left it, dequantized to float32; nil when keep is empty or the
// tensor is not an 8-bit or float32 tensor.
func keptTensor(c *infer.Classifier, keep []string) []float32 {
	if len(keep) == 0 {
		return nil
	}
	t, ok := c.Tensor(keep[0])
	if !ok {
		return nil
	}
	var scale float32 = 1
	var zp float32
	if t.Quant.Quantized() {
		scale = t.Quant.Scale[0]
		if len(t.Quant.ZeroPoint) > 0 {
			zp = float32(t.Quant.ZeroPoint[0])
		}
	}
	switch t.Type {
	case infer.Float32:
		return append([]float32(nil), t.Float32s()...)
	case infer.Int8:
		out := make([]float32, len(t.Data))
		for i, q := range t.Int8s() {
			out[i] = scale * (float32(q) - zp)
		}
		return out
	case infer.UInt8:
		out := make([]float32, len(t.Data))
		for i, q := range t.Data {
			out[i] = scale * (float32(q) - zp)
		}
		return out
	}
	return nil
}
