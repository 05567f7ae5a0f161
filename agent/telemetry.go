package agent

import (
	"slices"
	"sync"
	"time"
)

// Telemetry is the agent's part of the periodic MQTT metrics message.
type Telemetry struct {
	Device  string            `json:"device"`
	Version string            `json:"version"`
	Config  string            `json:"config_hash"`
	Model   ModelStatus       `json:"model"`
	Ready   bool              `json:"ready"`
	UptimeS float64           `json:"uptime_s"`
	Cameras []CameraTelemetry `json:"cameras"`
	// LatencyMS are percentiles of preprocess + invoke over the last
	// latencyWindow results, in milliseconds.
	LatencyMS *Percentiles `json:"latency_ms,omitempty"`
	Outbox    OutboxStatus `json:"outbox"`
}

// CameraTelemetry is one camera's part of Telemetry.
type CameraTelemetry struct {
	ID    string `json:"id"`
	State string `json:"state"`
	// FPS and ResultsPerS are rates since the previous Telemetry call
	// (since start for the first).
	FPS         float64           `json:"fps"`
	ResultsPerS float64           `json:"results_per_s"`
	Captured    uint64            `json:"captured"`
	Dropped     uint64            `json:"dropped"`
	Skipped     uint64            `json:"skipped"`
	Reconnects  uint64            `json:"reconnects"`
	Results     uint64            `json:"results"`
	Labels      map[string]uint64 `json:"labels"` // top-1 label → results since start
	Accuracy    *Accuracy         `json:"accuracy,omitempty"`
}

// Percentiles of a latency distribution.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// latencyWindow is how many recent latencies the percentiles cover.
const latencyWindow = 1024

// latencies keeps the most recent per-result latencies.
type latencies struct {
	mu   sync.Mutex
	ring []time.Duration // guarded by mu
	next int             // guarded by mu
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < latencyWindow {
		l.ring = append(l.ring, d)
		return
	}
	l.ring[l.next] = d
	l.next = (l.next + 1) % latencyWindow
}

func (l *latencies) percentiles() *Percentiles {
	l.mu.Lock()
	s := slices.Clone(l.ring)
	l.mu.Unlock()
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	at := func(q float64) float64 {
		i := int(q * float64(len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	return &Percentiles{N: len(s), P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: at(1)}
}

// rateMark is where the previous Telemetry call left each camera's
// counters, for the rates.
type rateMark struct {
	at                time.Time
	captured, results uint64
}

// Telemetry returns the agent's snapshot for the MQTT metrics topic:
// rates, latency percentiles, per-label counts, drops, outbox depth and
// evictions, and the model.
func (a *Agent) Telemetry() Telemetry {
	st := a.Status()
	t := Telemetry{
		Device: st.Device, Version: st.Version, Config: st.Config, Model: st.Model,
		Ready: st.Ready, UptimeS: st.UptimeS, Outbox: st.Outbox, LatencyMS: a.lat.percentiles(),
	}
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.marks == nil {
		a.marks = map[string]rateMark{}
	}
	for i, c := range a.cams {
		cs := st.Cameras[i]
		ct := CameraTelemetry{
			ID: cs.ID, State: cs.State, Captured: cs.Captured, Dropped: cs.Dropped, Skipped: cs.Skipped,
			Reconnects: cs.Reconnects, Results: cs.Results, Accuracy: cs.Accuracy, Labels: c.labelCounts(),
		}
		m, ok := a.marks[cs.ID]
		if !ok {
			m = rateMark{at: a.started}
		}
		if dt := now.Sub(m.at).Seconds(); dt > 0 {
			ct.FPS = float64(cs.Captured-m.captured) / dt
			ct.ResultsPerS = float64(cs.Results-m.results) / dt
		}
		a.marks[cs.ID] = rateMark{at: now, captured: cs.Captured, results: cs.Results}
		t.Cameras = append(t.Cameras, ct)
	}
	return t
}

// labelCounts returns a copy of the camera's top-1 label counts.
func (c *cam) labelCounts() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]uint64, len(c.labels))
	for k, v := range c.labels {
		out[k] = v
	}
	return out
}
