package agent

import (
	"encoding/json"
	"net/http"
	"time"
)

// The live view's history: one point per camera every historyEvery, the
// last hour kept.
const (
	historyEvery  = 10 * time.Second
	historyPoints = 360
)

// HistoryPoint is one camera's state at one moment.
type HistoryPoint struct {
	Time        time.Time `json:"t"`
	ResultsPerS float64   `json:"results_per_s"`
	// Accuracy is from labels when the camera has enough, else Estimate
	// (with Estimated true).
	Accuracy       *float64 `json:"accuracy,omitempty"`
	Estimated      bool     `json:"estimated,omitempty"`
	MeanConfidence *float64 `json:"mean_confidence,omitempty"`
	DriftLevel     float64  `json:"drift_level"`
}

// CameraHistory is what GET /api/monitor/history returns per camera.
type CameraHistory struct {
	Camera string         `json:"camera"`
	Points []HistoryPoint `json:"points"` // oldest first
	// Classes counts the top-1 labels of the camera's results in this run.
	Classes map[string]uint64 `json:"classes"`
}

type history struct {
	points  map[string][]HistoryPoint // guarded by monitorFeature.mu
	results map[string]uint64         // guarded by monitorFeature.mu; at the last point
	last    time.Time                 // guarded by monitorFeature.mu
}

// sample adds one point per camera.
func (f *monitorFeature) sample(now time.Time) {
	st := f.m.Status()
	byCam := map[string]int{}
	for i, s := range st {
		byCam[s.Camera] = i
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &f.hist
	if h.points == nil {
		h.points, h.results = map[string][]HistoryPoint{}, map[string]uint64{}
	}
	dt := now.Sub(h.last).Seconds()
	for _, c := range f.a.cams {
		id := c.cfg.ID
		n := c.results.Load()
		p := HistoryPoint{Time: now.UTC()}
		if prev, ok := h.results[id]; ok && dt > 0 {
			p.ResultsPerS = float64(n-prev) / dt
		}
		h.results[id] = n
		if i, ok := byCam[id]; ok {
			s := st[i]
			switch {
			case s.Accuracy != nil && s.Labels >= f.m.Config().MinLabels:
				p.Accuracy = s.Accuracy
			case s.Estimate != nil:
				p.Accuracy, p.Estimated = s.Estimate, true
			}
			p.MeanConfidence, p.DriftLevel = s.MeanConfidence, s.DriftLevel
		}
		pts := append(h.points[id], p)
		if len(pts) > historyPoints {
			pts = pts[len(pts)-historyPoints:]
		}
		h.points[id] = pts
	}
	h.last = now
}

// serveHistory is GET /api/monitor/history.
func (f *monitorFeature) serveHistory(w http.ResponseWriter, r *http.Request) {
	var out []CameraHistory
	for _, c := range f.a.cams {
		ch := CameraHistory{Camera: c.cfg.ID, Classes: map[string]uint64{}}
		c.mu.Lock()
		for k, v := range c.labels {
			ch.Classes[k] = v
		}
		c.mu.Unlock()
		f.mu.Lock()
		ch.Points = append([]HistoryPoint{}, f.hist.points[c.cfg.ID]...)
		f.mu.Unlock()
		out = append(out, ch)
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(out); err != nil {
		f.log.Debug("writing the history", "err", err)
	}
}
