package monitor

import "time"

// Event kinds.
const (
	KindDrift   = "drift"   // an input, output or embedding test
	KindDecay   = "decay"   // accuracy, or its estimate, fell
	KindCamera  = "camera"  // black, blown-out, uniform or frozen frames
	KindRetrain = "retrain" // a retraining trigger, with evidence
)

// Event states.
const (
	StateRaised    = "raised"
	StateCleared   = "cleared"
	StateTriggered = "triggered" // retrain events
)

// Window is the span of results a test looked at: sequence numbers of the
// first and last result and how many.
type Window struct {
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Results  int    `json:"results"`
}

// Event is one alarm state change, or a retraining trigger.
type Event struct {
	Kind   string `json:"kind"`
	State  string `json:"state"`
	Camera string `json:"camera"`
	// Test names the test (see docs/monitoring.md), e.g. "brightness",
	// "classes", "embedding", "accuracy_estimate", "frozen".
	Test   string `json:"test"`
	Window Window `json:"window"`
	// Values are the evidence: always "score"; per test the reference and
	// window values that explain it.
	Values     map[string]float64 `json:"values"`
	Thresholds EventThresholds    `json:"thresholds"`
	// SampleIDs are sequence numbers of results in the window that show
	// the change best (for drift: the lowest-confidence ones).
	SampleIDs []uint64  `json:"sample_ids,omitempty"`
	Time      time.Time `json:"time"`
	// Model is the sha256 of the model that produced the results.
	Model string `json:"model,omitempty"`
	// Evidence, on retrain events, is every drift or decay alarm of the
	// camera raised at that moment.
	Evidence []Event `json:"evidence,omitempty"`
}

// EventThresholds are the thresholds an event was judged by.
type EventThresholds struct {
	Raise   float64 `json:"raise"`
	Clear   float64 `json:"clear"`
	Persist int     `json:"persist"`
}
