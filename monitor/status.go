package monitor

// ActiveAlarm is a raised alarm in a Status.
type ActiveAlarm struct {
	Kind  string  `json:"kind"`
	Test  string  `json:"test"`
	Score float64 `json:"score"`
}

// Status is a camera's monitoring state, for metrics and the status page.
type Status struct {
	Camera string `json:"camera"`
	// Results is the number of results observed; WarmUp how many of the
	// input and output warm-ups are done (equal to Config.WarmUp when the
	// reference is ready).
	Results      uint64 `json:"results"`
	InputWarmUp  int    `json:"input_warm_up"`
	OutputWarmUp int    `json:"output_warm_up"`
	// Scores are the last score of every test that has run.
	Scores map[string]float64 `json:"scores"`
	Alarms []ActiveAlarm      `json:"alarms"`
	// Accuracy is over the last labelled results (Labels of them).
	Accuracy *float64 `json:"accuracy,omitempty"`
	Labels   int      `json:"labels"`
	// Estimate is the estimated accuracy without labels and
	// EstimateMethod how it was estimated ("atc" or "average_confidence").
	Estimate       *float64 `json:"accuracy_estimate,omitempty"`
	EstimateMethod string   `json:"estimate_method,omitempty"`
	// Trend is accuracy per block of 50 labels, oldest first.
	Trend []float64 `json:"accuracy_trend,omitempty"`
	// Confusion counts the labelled window by [truth][predicted], over
	// ClassNames plus a last "other" row/column for unknown labels.
	Confusion  [][]int  `json:"confusion,omitempty"`
	ClassNames []string `json:"class_names,omitempty"`
	// MeanConfidence is the window's mean top-1 confidence.
	MeanConfidence *float64 `json:"mean_confidence,omitempty"`
	// DriftLevel is the highest score/raise ratio over the drift tests
	// that ran: 1 means a score at its raise threshold.
	DriftLevel float64 `json:"drift_level"`
	// Broken is true while a camera alarm is raised.
	Broken bool `json:"broken"`
}

// Status returns every camera's state, sorted by camera.
func (m *Monitor) Status() []Status {
	var out []Status
	for _, id := range m.Cameras() {
		c := m.cam(id, false)
		c.mu.Lock()
		out = append(out, c.status())
		c.mu.Unlock()
	}
	return out
}

func (c *camState) status() Status {
	s := Status{Camera: c.id, Results: c.results, Scores: map[string]float64{},
		InputWarmUp: min(c.inWarm, c.cfg.WarmUp), OutputWarmUp: min(c.outWarm, c.cfg.WarmUp)}
	add := func(a *alarm, ran bool) {
		if ran {
			s.Scores[a.test] = a.score
			if a.kind == KindDrift && a.raise > 0 {
				s.DriftLevel = max(s.DriftLevel, a.score/a.raise)
			}
		}
		if a.active {
			s.Alarms = append(s.Alarms, ActiveAlarm{Kind: a.kind, Test: a.test, Score: a.score})
		}
	}
	for i := range c.health.alarms {
		add(&c.health.alarms[i], false)
		s.Broken = s.Broken || c.health.alarms[i].active
	}
	for i := range c.in.alarms {
		add(&c.in.alarms[i], c.in.ready && c.in.rings[i].full())
	}
	if c.out.ref != nil {
		for i := range c.out.alarms {
			add(&c.out.alarms[i], c.out.conf.full())
		}
		add(&c.decay, c.out.conf.full())
		if est, method, ok := c.out.estimate(); ok {
			s.Estimate, s.EstimateMethod = &est, method
			mc := c.out.confSum / float64(c.out.conf.n)
			s.MeanConfidence = &mc
		}
	}
	if c.emb.ref != nil {
		add(&c.emb.alarm, c.emb.n >= c.emb.window)
	}
	if acc, n := c.lab.accuracy(); n > 0 {
		s.Accuracy, s.Labels = &acc, n
		s.Confusion = c.lab.confusion(len(c.labels))
		s.ClassNames = append([]string(nil), c.labels...)
	}
	s.Trend = append([]float64(nil), c.lab.trend...)
	return s
}
