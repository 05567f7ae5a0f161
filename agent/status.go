package agent

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// Status is what /api/status returns.
type Status struct {
	Device     string           `json:"device"`
	Version    string           `json:"version"`
	Commit     string           `json:"commit"`
	GoVersion  string           `json:"go_version"`
	Config     string           `json:"config_hash"`
	UptimeS    float64          `json:"uptime_s"`
	Ready      bool             `json:"ready"`
	Problems   []string         `json:"problems,omitempty"`
	Model      ModelStatus      `json:"model"`
	Cameras    []CameraStatus   `json:"cameras"`
	Outbox     OutboxStatus     `json:"outbox"`
	Results    uint64           `json:"results"`
	Accuracy   *Accuracy        `json:"accuracy,omitempty"`
	Pipeline   PipelineStatus   `json:"pipeline"`
	Sync       *mqttsync.Health `json:"sync,omitempty"`
	OTA        *ota.Status      `json:"ota,omitempty"`
	Monitor    *MonitorStatus   `json:"monitor,omitempty"`
	ReportedAt time.Time        `json:"reported_at"`
}

// ModelStatus describes the loaded model.
type ModelStatus struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	SHA256  string `json:"sha256"`
	Engine  string `json:"engine"`
	Path    string `json:"path"`
	Input   string `json:"input"`
	Classes int    `json:"classes"`
}

// CameraStatus describes one camera.
type CameraStatus struct {
	ID           string      `json:"id"`
	URI          string      `json:"uri"`
	State        string      `json:"state"`
	LastError    string      `json:"last_error,omitempty"`
	LastFrameAge float64     `json:"last_frame_age_s"`
	Captured     uint64      `json:"captured"`
	Dropped      uint64      `json:"dropped"`
	Skipped      uint64      `json:"skipped"`
	Reconnects   uint64      `json:"reconnects"`
	Errors       uint64      `json:"errors"`
	Queued       int         `json:"queued"`
	Results      uint64      `json:"results"`
	Accuracy     *Accuracy   `json:"accuracy,omitempty"`
	Latest       *resultView `json:"latest,omitempty"`
}

// Accuracy is the running top-1 accuracy over results with a truth label.
type Accuracy struct {
	Correct uint64  `json:"correct"`
	Known   uint64  `json:"known"`
	Ratio   float64 `json:"ratio"`
}

// OutboxStatus describes the durable queue.
type OutboxStatus struct {
	Open         bool   `json:"open"`
	Writable     bool   `json:"writable"`
	LastError    string `json:"last_error,omitempty"`
	Records      uint64 `json:"records"`
	Bytes        uint64 `json:"bytes"`
	FileBytes    int64  `json:"file_bytes"`
	OldestSeq    uint64 `json:"oldest_seq"`
	NewestSeq    uint64 `json:"newest_seq"`
	Appended     uint64 `json:"appended"`
	Acked        uint64 `json:"acked"`
	Evicted      uint64 `json:"evicted"`
	AppendErrors uint64 `json:"append_errors"`
}

// PipelineStatus describes the queues and workers.
type PipelineStatus struct {
	Workers   int `json:"workers"`
	QueueSize int `json:"queue_size"`
}

// resultView is a camera's latest result as the status shows it.
type resultView struct {
	record.Record
	OutboxSeq uint64 `json:"outbox_seq"`
}

func newAccuracy(correct, known uint64) *Accuracy {
	if known == 0 {
		return nil
	}
	return &Accuracy{Correct: correct, Known: known, Ratio: float64(correct) / float64(known)}
}

// Status returns a snapshot of the agent's state.
func (a *Agent) Status() Status {
	active := a.models.Active()
	info := active.Info
	in := "none"
	if len(info.Inputs) > 0 {
		t := info.Inputs[0]
		dims := make([]string, len(t.Shape))
		for i, d := range t.Shape {
			dims[i] = fmt.Sprint(d)
		}
		in = strings.Join(dims, "x") + " " + t.Type.String()
	}
	classes := 0
	if len(info.Outputs) > 0 {
		s := info.Outputs[0].Shape
		if len(s) > 0 {
			classes = s[len(s)-1]
		}
	}
	problems := a.readiness()
	st := Status{
		Device:    a.cfg.DeviceID,
		Version:   Version,
		Commit:    Commit(),
		GoVersion: runtime.Version(),
		Config:    a.hash,
		UptimeS:   time.Since(a.started).Seconds(),
		Ready:     len(problems) == 0,
		Problems:  problems,
		Model: ModelStatus{Name: active.Ref.Name, Version: active.Ref.Version, SHA256: active.Ref.SHA256,
			Engine: a.engine, Path: active.Path, Input: in, Classes: classes},
		Results:    a.results.Load(),
		Pipeline:   PipelineStatus{Workers: a.cfg.Pipeline.Workers, QueueSize: a.cfg.Pipeline.QueueSize},
		ReportedAt: time.Now().UTC(),
		OTA:        a.OTAStatus(),
	}
	var correct, known uint64
	for _, c := range a.cams {
		state, h := c.health()
		cs := CameraStatus{
			ID: c.cfg.ID, URI: c.cfg.URI, State: state, LastError: h.LastError,
			LastFrameAge: h.LastFrameAge.Seconds(),
			Captured:     c.captured.Load(), Dropped: c.dropped.Load() + h.Stats.Dropped,
			Skipped: h.Stats.Skipped, Reconnects: h.Stats.Reconnects, Errors: h.Stats.Errors + c.openFails.Load(),
			Queued: a.queueLen(c), Results: c.results.Load(),
		}
		cc, ck := c.correct.Load(), c.truthSeen.Load()
		correct, known = correct+cc, known+ck
		cs.Accuracy = newAccuracy(cc, ck)
		c.mu.Lock()
		cs.Latest = c.latest
		c.mu.Unlock()
		st.Cameras = append(st.Cameras, cs)
	}
	st.Accuracy = newAccuracy(correct, known)
	a.mu.Lock()
	syncer := a.syncer
	a.mu.Unlock()
	if syncer != nil {
		h := syncer.Health()
		st.Sync = &h
	}
	ob, open := a.outboxStats()
	st.Outbox = OutboxStatus{
		Open: open, Writable: open && a.appendOK.Load(), LastError: a.lastAppendError(),
		Records: ob.Count, Bytes: ob.Bytes, FileBytes: ob.FileBytes, OldestSeq: ob.OldestSeq, NewestSeq: ob.NewestSeq,
		Appended: ob.Appended, Acked: ob.Acked, Evicted: ob.Evicted, AppendErrors: a.appendErrs.Load(),
	}
	if a.mon != nil {
		st.Monitor = a.mon.status(false)
	}
	return st
}

// readiness lists why the agent is not ready; empty means ready.
func (a *Agent) readiness() []string {
	var p []string
	if a.models.Active() == nil {
		p = append(p, "model: not loaded")
	}
	for _, c := range a.cams {
		state, h := c.health()
		if state == "fresh" {
			continue
		}
		msg := fmt.Sprintf("camera %s: %s", c.cfg.ID, state)
		if state == "stale" {
			msg += fmt.Sprintf(" (no frame for %s)", h.LastFrameAge.Round(time.Millisecond))
		}
		if h.LastError != "" {
			msg += ": " + h.LastError
		}
		p = append(p, msg)
	}
	if _, open := a.outboxStats(); !open {
		p = append(p, "outbox: not open")
	} else if !a.appendOK.Load() {
		p = append(p, "outbox: not writable: "+a.lastAppendError())
	}
	if a.mon != nil {
		p = append(p, a.mon.problems()...) // black, blown-out, uniform or frozen frames
	}
	return p
}
