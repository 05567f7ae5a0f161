package monitor

import (
	"encoding/json"
	"errors"
	"flag"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/shapes"
	"github.com/fovea-edge/fovea/monitor/capture"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// small is the configuration of the integration tests: shorter warm-up
// and windows than the defaults, so they render and classify fewer frames
// (the measurement tool, measure_test.go, uses the defaults).
func small(c Config) Config {
	c.WarmUp, c.Window, c.Persist = 300, 100, 15
	return c
}

// warmMonitor returns a monitor that has learned its reference from the
// replayed warm-up frames and seen a full window of undrifted live
// frames, and the next free frame index.
func warmMonitor(t testing.TB, s *scene, cfg Config) (*Monitor, uint64) {
	t.Helper()
	m, err := New(cfg, captureStatic)
	if err != nil {
		t.Fatal(err)
	}
	recs := warmUp(t, s, m.cfg.WarmUp)
	var f Frame
	for i := range recs {
		s.replay(&recs[i], uint64(i+1), &f)
		if ev := m.Observe(&f).Events; len(ev) > 0 {
			t.Fatalf("events during the warm-up: %+v", ev)
		}
	}
	next := uint64(len(recs))
	for i := range uint64(m.cfg.Window) {
		s.frame(t, baseScene, next+i, false, &f)
		if ev := m.Observe(&f).Events; len(ev) > 0 {
			t.Fatalf("events on undrifted frames: %+v", ev)
		}
	}
	return m, next + uint64(m.cfg.Window)
}

// TestRetrainEvent drifts the brightness and checks the events against a
// golden file: the drift alarm, then the retraining trigger with its
// evidence and sample ids, in snake_case JSON.
func TestRetrainEvent(t *testing.T) {
	s := newScene(t)
	m, next := warmMonitor(t, s, small(Config{Embedding: demoTensor}))
	sc := baseScene
	sc.Drifts = []shapes.Drift{{Kind: shapes.Brightness, Amount: 0.3}}
	var events []Event
	var f Frame
	for i := range uint64(300) {
		s.frame(t, sc, next+i, true, &f)
		events = append(events, m.Observe(&f).Events...)
		if len(events) > 0 {
			break
		}
	}
	if len(events) != 2 || events[0].Kind != KindDrift || events[1].Kind != KindRetrain {
		t.Fatalf("events = %+v; want a drift alarm and a retrain trigger", events)
	}
	rt := events[1]
	if len(rt.Evidence) == 0 || len(rt.SampleIDs) != sampleIDs || rt.Window.Results != 100 {
		t.Errorf("retrain event = %+v; want evidence, %d sample ids and a 100-result window", rt, sampleIDs)
	}
	got, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "brightness_events.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./monitor -run TestRetrainEvent -update)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("events differ from %s (rerun with -update if intended):\n%s", golden, got)
	}
	// A second raise within the cooldown triggers no second retrain event.
	for i := range uint64(300) {
		s.frame(t, sc, next+300+i, true, &f)
		for _, ev := range m.Observe(&f).Events {
			if ev.Kind == KindRetrain {
				t.Fatalf("second retrain event within the cooldown: %+v", ev)
			}
		}
	}
}

func TestFeedback(t *testing.T) {
	s := newScene(t)
	m, err := New(Config{MinLabels: 2}, captureStatic)
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	for i := range uint64(5) {
		s.frame(t, baseScene, i, false, &f)
		f.Truth = "" // labels only from feedback
		m.Observe(&f)
	}
	predicted := map[uint64]string{}
	for seq := uint64(1); seq <= 5; seq++ {
		p, err := m.Feedback("cam", seq, "star")
		if err != nil {
			t.Fatalf("Feedback(seq %d) = %v", seq, err)
		}
		predicted[seq] = p
	}
	right := 0
	for _, p := range predicted {
		if p == "star" {
			right++
		}
	}
	st := m.Status()[0]
	if st.Labels != 5 || st.Accuracy == nil || *st.Accuracy != float64(right)/5 {
		t.Errorf("status labels %d accuracy %v; want 5 and %v", st.Labels, st.Accuracy, float64(right)/5)
	}
	// Correcting seq 1 to what the model said makes it right.
	if _, err := m.Feedback("cam", 1, predicted[1]); err != nil {
		t.Fatal(err)
	}
	if predicted[1] != "star" {
		right++
	}
	if st := m.Status()[0]; st.Labels != 5 || *st.Accuracy != float64(right)/5 {
		t.Errorf("after a correction labels %d accuracy %v; want 5 and %v", st.Labels, *st.Accuracy, float64(right)/5)
	}
	for _, tc := range []struct {
		cam   string
		seq   uint64
		label string
		want  error
	}{
		{"cam", 99, "star", ErrUnknownResult},
		{"yard", 1, "star", ErrUnknownCamera},
		{"cam", 1, "", ErrInvalidLabel},
	} {
		if _, err := m.Feedback(tc.cam, tc.seq, tc.label); !errors.Is(err, tc.want) {
			t.Errorf("Feedback(%q, %d, %q) = %v; want %v", tc.cam, tc.seq, tc.label, err, tc.want)
		}
	}
}

// TestProfileRoundTrip saves a learned reference as JSON, loads it into a
// new monitor and checks that the new monitor needs no warm-up: a drift
// is detected one window after it starts.
func TestProfileRoundTrip(t *testing.T) {
	s := newScene(t)
	m, next := warmMonitor(t, s, small(Config{Embedding: demoTensor}))
	p, ok := m.Profile("cam")
	if !ok || p.Output == nil || p.Embedding == nil || len(p.Input) != nInput || p.Output.Accuracy == nil {
		t.Fatalf("learned profile = %+v", p)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseProfile(data)
	if err != nil {
		t.Fatalf("ParseProfile(learned) = %v", err)
	}
	m2, err := New(small(Config{Embedding: demoTensor}), captureStatic)
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.SetProfile("cam", q); err != nil {
		t.Fatal(err)
	}
	sc := baseScene
	sc.Drifts = []shapes.Drift{{Kind: shapes.Blur, Amount: 0.5}}
	var f Frame
	raised := ""
	for i := range uint64(250) {
		s.frame(t, sc, next+i, true, &f)
		f.Truth = "" // no labels: the input test must find it
		for _, ev := range m2.Observe(&f).Events {
			if ev.State == StateRaised && raised == "" {
				raised = ev.Test
			}
		}
	}
	if raised != "sharpness" {
		t.Errorf("with a loaded profile, a blur raised %q first; want sharpness", raised)
	}
	if st := m2.Status()[0]; st.InputWarmUp != 0 || st.OutputWarmUp != 0 {
		t.Errorf("warm-up with a loaded profile: %+v", st)
	}
}

func TestParseProfileRejects(t *testing.T) {
	tests := []struct{ name, json string }{
		{"version", `{"version": 2}`},
		{"unknown field", `{"version": 1, "surprise": 1}`},
		{"probs", `{"version": 1, "input": {"brightness": {"edges": [1], "probs": [0.5, 0.6], "mean": 1, "std": 1}}}`},
		{"edges order", `{"version": 1, "input": {"brightness": {"edges": [2, 1], "probs": [0.2, 0.3, 0.5], "mean": 1, "std": 1}}}`},
		{"unknown stat", `{"version": 1, "input": {"loudness": {"edges": [], "probs": [1], "mean": 1, "std": 1}}}`},
		{"class bins", `{"version": 1, "output": {"model": "x", "classes": 2, "class_bins": [0, 5], "class_probs": [1]}}`},
		{"embedding", `{"version": 1, "embedding": {"tensor": "pool", "dims": 1, "mean": [1, 2], "std": [1, 1]}}`},
		{"trailing", `{"version": 1} {}`},
		{"not json", `version: 1`},
	}
	for _, tt := range tests {
		if _, err := ParseProfile([]byte(tt.json)); !errors.Is(err, ErrProfile) {
			t.Errorf("%s: ParseProfile = %v; want ErrProfile", tt.name, err)
		}
	}
	if _, err := ParseProfile([]byte(`{"version": 1}`)); err != nil {
		t.Errorf("ParseProfile(empty profile) = %v", err)
	}
}

func FuzzParseProfile(f *testing.F) {
	f.Add([]byte(`{"version": 1}`))
	f.Add([]byte(`{"version": 1, "input": {"brightness": {"edges": [1], "probs": [0.5, 0.5], "mean": 1, "std": 1}}}`))
	f.Add([]byte(`{"version": 1, "output": {"model": "x", "classes": 2, "class_bins": [0, 1], "class_probs": [0.5, 0.5]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			return
		}
		// A profile that parses must be usable.
		m, err := New(Config{Window: 10, WarmUp: 10, Persist: 1, Embedding: "e"}, captureStatic)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.SetProfile("c", p); err != nil {
			t.Fatalf("SetProfile(parsed) = %v", err)
		}
		img := solid(color.RGBA{10, 200, 30, 255})
		for i := range 12 {
			m.Observe(&Frame{Camera: "c", Seq: uint64(i + 1), Image: img, Top: top1, Labels: []string{"a", "b"},
				Embedding: []float32{1, 2}})
		}
	})
}

func TestCaptureDuringDrift(t *testing.T) {
	s := newScene(t)
	cfg := Config{Capture: capture.Policy{Cameras: []capture.Camera{{ID: "cam",
		Rules: capture.Rules{Drift: true}, Masks: []capture.Rect{{X: 0, Y: 0, W: 16, H: 16}}}}, MaxPerHour: 5}}
	m, next := warmMonitor(t, s, small(cfg))
	if st := m.Capturer().Stats(); st.Captured != 0 {
		t.Fatalf("captured %d samples before any drift", st.Captured)
	}
	sc := baseScene
	sc.Drifts = []shapes.Drift{{Kind: shapes.Noise, Amount: 0.5}}
	var f Frame
	var samples []*capture.Sample
	for i := range uint64(200) {
		s.frame(t, sc, next+i, true, &f)
		r := m.Observe(&f)
		if r.CaptureErr != nil {
			t.Fatal(r.CaptureErr)
		}
		if r.Sample != nil {
			samples = append(samples, r.Sample)
		}
	}
	if len(samples) != 5 {
		t.Fatalf("captured %d samples during the drift; want the hourly cap, 5", len(samples))
	}
	p := samples[0].Provenance
	if p.Rule != capture.RuleDrift || p.Model.SHA256 != s.model.SHA256 || p.Device != "test" || p.Masks != 1 || p.Camera != "cam" {
		t.Errorf("provenance = %+v", p)
	}
}
