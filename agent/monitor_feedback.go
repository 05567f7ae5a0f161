package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/fovea-edge/fovea/monitor"
	"github.com/fovea-edge/fovea/monitor/feedback"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// CmdFeedback is the MQTT command operators label results with; its args
// are a feedback.Request. POST /api/feedback takes the same JSON.
const CmdFeedback = "feedback"

// register adds the monitor's MQTT commands.
func (f *monitorFeature) register(s *mqttsync.Syncer) {
	s.Handle(CmdFeedback, func(ctx context.Context, cmd mqttsync.Command) (any, error) {
		return f.feedback(cmd.Args)
	})
	f.registerSamples(s)
}

// feedback records one label: checked, scored by the monitor against
// the result it names, stored durably. It returns the stored label.
func (f *monitorFeature) feedback(body []byte) (feedback.Label, error) {
	req, err := feedback.Parse(body, f.a.cfg.DeviceID)
	if err != nil {
		return feedback.Label{}, err
	}
	predicted, err := f.m.Feedback(req.Camera, req.Seq, req.Label)
	if err != nil {
		return feedback.Label{}, err
	}
	l := feedback.Label{Device: req.Device, Camera: req.Camera, Seq: req.Seq, Label: req.Label,
		Predicted: predicted, Operator: req.Operator, Time: time.Now().UTC()}
	f.mu.Lock()
	st := f.store
	f.mu.Unlock()
	if st == nil {
		return feedback.Label{}, errors.New("feedback: the label store is not open")
	}
	if err := st.Put(l); err != nil {
		return feedback.Label{}, err
	}
	f.log.Info("feedback label", "camera", l.Camera, "seq", l.Seq, "label", l.Label, "predicted", l.Predicted, "operator", l.Operator)
	return l, nil
}

// serveFeedback is POST /api/feedback. It answers loopback clients only,
// like the live view: labels change what the device reports.
// It wants Content-Type application/json, which a web page cannot send
// across origins without the preflight this server never answers.
func (f *monitorFeature) serveFeedback(w http.ResponseWriter, r *http.Request) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		http.Error(w, "fovea: POST /api/feedback wants Content-Type: application/json", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, feedback.MaxRequestBytes+1))
	if err != nil {
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	l, err := f.feedback(body)
	switch {
	case errors.Is(err, feedback.ErrRequest), errors.Is(err, monitor.ErrInvalidLabel):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case errors.Is(err, monitor.ErrUnknownCamera), errors.Is(err, monitor.ErrUnknownResult):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(l); err != nil {
		f.log.Debug("writing the feedback reply", "err", err)
	}
}

// serveMonitor is GET /api/monitor: every camera's monitoring state and
// the recent events.
func (f *monitorFeature) serveMonitor(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f.status(true)); err != nil {
		f.log.Debug("writing the monitor status", "err", err)
	}
}

// MonitorStatus is the monitor's part of /api/status (and all of
// /api/monitor, with Events).
type MonitorStatus struct {
	Cameras []monitor.Status `json:"cameras"`
	// Alarms lists every raised alarm, for the live view's badges.
	Alarms    []MonitorAlarm  `json:"alarms"`
	Events    []monitor.Event `json:"events,omitempty"`
	Labels    int             `json:"feedback_labels"`
	Samples   any             `json:"samples"`
	Pending   int             `json:"events_pending"`
	Dropped   uint64          `json:"events_dropped"`
	Published uint64          `json:"events_published"`
}

// MonitorAlarm is one raised alarm.
type MonitorAlarm struct {
	Camera string  `json:"camera"`
	Kind   string  `json:"kind"`
	Test   string  `json:"test"`
	Score  float64 `json:"score"`
}

func (f *monitorFeature) status(events bool) *MonitorStatus {
	st := &MonitorStatus{Cameras: f.m.Status(), Samples: f.m.Capturer().Stats(),
		Dropped: f.dropped.Load(), Published: f.published.Load(), Alarms: []MonitorAlarm{}}
	for _, c := range st.Cameras {
		for _, a := range c.Alarms {
			st.Alarms = append(st.Alarms, MonitorAlarm{Camera: c.Camera, Kind: a.Kind, Test: a.Test, Score: a.Score})
		}
	}
	f.mu.Lock()
	st.Pending = len(f.pending)
	if f.store != nil {
		st.Labels = f.store.Len()
	}
	f.mu.Unlock()
	if events {
		st.Events = f.recentEvents()
	}
	return st
}

func (f *monitorFeature) String() string {
	return fmt.Sprintf("monitor(%d cameras)", len(f.m.Cameras()))
}
