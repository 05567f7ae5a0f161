package monitor

import (
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/shapes"
	"github.com/fovea-edge/fovea/monitor/framestats"
)

// The measurement tool. docs/monitoring.md has its results; rerun with
//
//	go test ./monitor -run 'TestDetectionDelay|TestFalseAlarms' -v -monitor.frames 1000000 -timeout 60m
//
// -short runs fewer frames.
var (
	falseAlarmFrames = flag.Int("monitor.frames", 0, "frames in TestFalseAlarms (default 1,000,000; 20,000 with -short)")
	poolFrames       = flag.Int("monitor.pool", 0, "distinct rendered frames TestFalseAlarms replays (default 20,000; 2,000 with -short)")
)

// baseScene is the undrifted scene every measurement starts from.
var baseScene = shapes.Scene{Size: 64, Seed: 7}

// warm holds the warm-up frames, rendered and classified once per test
// binary and size; every measurement replays them.
var warm struct {
	mu      sync.Mutex
	records map[int][]record
}

func warmUp(t testing.TB, s *scene, n int) []record {
	warm.mu.Lock()
	defer warm.mu.Unlock()
	if recs, ok := warm.records[n]; ok {
		return recs
	}
	var sp framestats.Sampler
	recs := make([]record, n)
	for i := range recs {
		recs[i] = s.record(t, baseScene, uint64(i), false, &sp)
	}
	if warm.records == nil {
		warm.records = map[int][]record{}
	}
	warm.records[n] = recs
	return recs
}

// delayResult is the outcome of one drift measurement.
type delayResult struct {
	kind   shapes.DriftKind
	amount float64
	delay  int // results from the first drifted frame to the first raise; −1: none
	tests  []string
	before int // events before the drift (false alarms)
}

// measureDelay warms a monitor up on the undrifted scene, shows it
// `calm` more undrifted frames, then drifted ones until an alarm raises
// or max frames pass.
// With noTruth the live frames carry no true label (as on a real camera
// without feedback): decay can only be judged by the estimate.
func measureDelay(t testing.TB, s *scene, cfg Config, d shapes.Drift, calm, maxFrames int, noTruth bool) delayResult {
	m, err := New(cfg, captureStatic)
	if err != nil {
		t.Fatal(err)
	}
	recs := warmUp(t, s, m.cfg.WarmUp)
	var f Frame
	res := delayResult{kind: d.Kind, amount: d.Amount, delay: -1}
	seq := uint64(0)
	for i := range recs {
		seq++
		s.replay(&recs[i], seq, &f)
		res.before += len(m.Observe(&f).Events)
	}
	sc := baseScene
	sc.Drifts = []shapes.Drift{d}
	start := uint64(len(recs))
	for i := range uint64(calm) {
		s.frame(t, sc, start+i, false, &f)
		if noTruth {
			f.Truth = ""
		}
		res.before += len(m.Observe(&f).Events)
	}
	start += uint64(calm)
	for i := range maxFrames {
		s.frame(t, sc, start+uint64(i), true, &f)
		if noTruth {
			f.Truth = ""
		}
		for _, ev := range m.Observe(&f).Events {
			if ev.State == StateRaised && ev.Kind != KindCamera {
				res.tests = append(res.tests, ev.Test)
			}
		}
		if len(res.tests) > 0 {
			res.delay = i + 1
			break
		}
	}
	return res
}

var captureStatic = captureStaticValue()

func TestDetectionDelay(t *testing.T) {
	s := newScene(t)
	cfg := Config{Embedding: demoTensor}
	// calm ≥ window: the tests run from the first drifted frame.
	calm, maxFrames := 300, 1500
	amounts, truths := driftAmounts, []bool{false, true}
	kinds := shapes.DriftKinds
	if testing.Short() {
		// Smaller windows, two knobs at their default amounts, with
		// labels only.
		cfg = small(Config{Embedding: demoTensor})
		calm, maxFrames = 120, 300
		amounts = func(k shapes.DriftKind) []float64 { return []float64{shapes.DefaultAmount(k)} }
		truths = truths[:1]
		kinds = []shapes.DriftKind{shapes.Brightness, shapes.Blur}
	}
	var rows []string
	for _, kind := range kinds {
		for _, amount := range amounts(kind) {
			row := fmt.Sprintf("| %s | %v ", kind, amount)
			for _, noTruth := range truths {
				r := measureDelay(t, s, cfg, shapes.Drift{Kind: kind, Amount: amount}, calm, maxFrames, noTruth)
				if r.before != 0 {
					t.Errorf("%s %v: %d events before the drift; want 0", kind, amount, r.before)
				}
				delay := fmt.Sprintf("none in %d", maxFrames)
				if r.delay >= 0 {
					delay = fmt.Sprintf("%d (%.1f s)", r.delay, float64(r.delay)/10)
				}
				row += fmt.Sprintf("| %s | %s ", delay, strings.Join(r.tests, ", "))
			}
			rows = append(rows, row+"|")
		}
	}
	t.Logf("detection delay in results (seconds at 10 fps); window %d, persist %d:\n"+
		"| drift | amount | with truth labels | first alarm | without labels | first alarm |\n|---|---|---|---|---|---|\n%s",
		cfg.Defaults().Window, cfg.Defaults().Persist, strings.Join(rows, "\n"))
}

// peaks keeps the highest score of every test that has run.
func peaks(c *camState, peak map[string]float64) {
	up := func(a *alarm, ran bool) {
		if ran && a.score > peak[a.test] {
			peak[a.test] = a.score
		}
	}
	for i := range c.in.alarms {
		up(&c.in.alarms[i], c.in.ready && c.in.rings[i].full())
	}
	if c.out.ref != nil && c.out.conf.full() {
		for i := range c.out.alarms {
			up(&c.out.alarms[i], true)
		}
		up(&c.decay, true)
	}
	up(&c.emb.alarm, c.emb.ref != nil && c.emb.n >= c.emb.window)
}

// driftAmounts are the two strengths measured per knob: the scene's
// default and half of it.
func driftAmounts(k shapes.DriftKind) []float64 {
	d := shapes.DefaultAmount(k)
	return []float64{d / 2, d}
}

// TestFalseAlarms feeds an undrifted stream and counts alarms. Rendering
// and classifying a million frames takes about half an hour of one core,
// so the stream is drawn at random (with replacement) from a pool of
// distinct frames rendered and classified once; the monitor sees their
// measured statistics, top classes and embeddings in a random order,
// which is an undrifted stream by construction.
func TestFalseAlarms(t *testing.T) {
	s := newScene(t)
	frames, pool := 1000000, 20000
	if testing.Short() {
		frames, pool = 20000, 500
	}
	if *falseAlarmFrames > 0 {
		frames = *falseAlarmFrames
	}
	if *poolFrames > 0 {
		pool = *poolFrames
	}
	var sp framestats.Sampler
	recs := make([]record, pool)
	for i := range recs {
		recs[i] = s.record(t, baseScene, uint64(1_000_000+i), false, &sp)
	}
	m, err := New(Config{Embedding: demoTensor}, captureStatic)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var f Frame
	counts := map[string]int{}
	peak := map[string]float64{}
	total := 0
	for seq := range uint64(frames) {
		s.replay(&recs[rng.IntN(len(recs))], seq+1, &f)
		r := m.Observe(&f)
		peaks(m.cam("cam", false), peak)
		for _, ev := range r.Events {
			counts[ev.Kind+"/"+ev.Test+"/"+ev.State]++
			if ev.State == StateRaised {
				total++
			}
		}
	}
	var rows []string
	for _, k := range slices.Sorted(maps.Keys(peak)) {
		rows = append(rows, fmt.Sprintf("%s %.3f", k, peak[k]))
	}
	t.Logf("false alarms: %d raised in %d undrifted results (pool %d); by test %v; highest scores: %s", total, frames, pool, counts, strings.Join(rows, ", "))
	if total != 0 {
		t.Errorf("%d alarms on the undrifted scene; want 0", total)
	}
}
