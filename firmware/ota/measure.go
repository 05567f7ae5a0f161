package ota

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
)

// Pair is one frame classified by the candidate and by the reference model
// (the active model during shadow, the previous one during probation).
type Pair struct {
	Candidate, Reference Outcome
	// Truth is the frame's true label, "" when unknown.
	Truth string
}

// Outcome is one model's result on a frame.
type Outcome struct {
	Top1    string
	Score   float32
	Latency time.Duration
	Err     error
}

// Measure summarises a shadow or probation run.
type Measure struct {
	Phase     State   `json:"phase"`
	Frames    int     `json:"frames"`
	Errors    int     `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	Agreement float64 `json:"agreement"`
	// Accuracy is over the Labelled frames (those with truth), -1 when
	// there were none.
	Accuracy  float64 `json:"accuracy"`
	Labelled  int     `json:"labelled"`
	P50       Millis  `json:"latency_p50_ms"`
	P99       Millis  `json:"latency_p99_ms"`
	RefP50    Millis  `json:"reference_latency_p50_ms"`
	RefP99    Millis  `json:"reference_latency_p99_ms"`
	MeanScore float64 `json:"mean_confidence"`
	RefScore  float64 `json:"reference_mean_confidence"`
	// Confidence is a histogram of the candidate's top-1 score in ten
	// bins of 0.1.
	Confidence [10]int       `json:"confidence"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// Millis is a duration reported in milliseconds.
type Millis float64

func ms(d time.Duration) Millis { return Millis(float64(d) / 1e6) }

// warmupFrames are left out of the latency percentiles.
const warmupFrames = 3

// maxLatencySamples bounds the latency reservoir of one run.
const maxLatencySamples = 4096

// meter accumulates pairs from the agent's workers. Add is quick and safe
// for concurrent use.
type meter struct {
	phase State
	start time.Time

	mu          sync.Mutex // guards the fields below
	frames      int
	errs        int
	agree       int
	labelled    int
	correct     int
	lat, refLat []time.Duration
	seen        int
	score, ref  float64
	hist        [10]int
	rng         *rand.Rand

	notify chan struct{} // a token after every Add
}

func newMeter(phase State, now time.Time) *meter {
	return &meter{phase: phase, start: now, rng: rand.New(rand.NewPCG(uint64(now.UnixNano()), 1)), notify: make(chan struct{}, 1)}
}

func (m *meter) add(p Pair) {
	m.mu.Lock()
	m.frames++
	if p.Candidate.Err != nil {
		m.errs++
	} else {
		if p.Reference.Err == nil && p.Candidate.Top1 == p.Reference.Top1 {
			m.agree++
		}
		if p.Truth != "" {
			m.labelled++
			if p.Candidate.Top1 == p.Truth {
				m.correct++
			}
		}
		m.score += float64(p.Candidate.Score)
		m.ref += float64(p.Reference.Score)
		m.hist[min(9, max(0, int(p.Candidate.Score*10)))]++
		// The first frames warm up fresh interpreters; they say nothing
		// about the model's speed. Reservoir sampling keeps the
		// percentiles unbiased over long runs.
		m.seen++
		switch n := m.seen - warmupFrames; {
		case n <= 0:
		case len(m.lat) < maxLatencySamples:
			m.lat = append(m.lat, p.Candidate.Latency)
			m.refLat = append(m.refLat, p.Reference.Latency)
		default:
			if i := m.rng.IntN(n); i < maxLatencySamples {
				m.lat[i], m.refLat[i] = p.Candidate.Latency, p.Reference.Latency
			}
		}
	}
	m.mu.Unlock()
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

func (m *meter) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.frames
}

func (m *meter) measure(now time.Time) *Measure {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := &Measure{Phase: m.phase, Frames: m.frames, Errors: m.errs, Labelled: m.labelled, Confidence: m.hist, Accuracy: -1, Elapsed: now.Sub(m.start)}
	ok := m.frames - m.errs
	if m.frames > 0 {
		r.ErrorRate = float64(m.errs) / float64(m.frames)
	}
	if ok > 0 {
		r.Agreement = float64(m.agree) / float64(ok)
		r.MeanScore = m.score / float64(ok)
		r.RefScore = m.ref / float64(ok)
	}
	if m.labelled > 0 {
		r.Accuracy = float64(m.correct) / float64(m.labelled)
	}
	r.P50, r.P99 = ms(percentile(m.lat, 0.50)), ms(percentile(m.lat, 0.99))
	r.RefP50, r.RefP99 = ms(percentile(m.refLat, 0.50)), ms(percentile(m.refLat, 0.99))
	return r
}

func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// judge returns "" when r passes g, else the reasons it failed.
func (r *Measure) judge(g deploy.Gates) string {
	var fails []string
	if r.Frames < g.MinFrames {
		fails = append(fails, fmt.Sprintf("only %d frames in %s (need %d to judge)", r.Frames, r.Elapsed.Round(time.Second), g.MinFrames))
		return strings.Join(fails, "; ")
	}
	if r.ErrorRate > g.MaxErrorRate {
		fails = append(fails, fmt.Sprintf("error rate %.1f%% > %.1f%%", 100*r.ErrorRate, 100*g.MaxErrorRate))
	}
	if r.Agreement < g.MinAgreement {
		fails = append(fails, fmt.Sprintf("agreement %.1f%% < %.1f%%", 100*r.Agreement, 100*g.MinAgreement))
	}
	if g.MaxLatencyP99 > 0 && float64(r.P99) > float64(ms(g.MaxLatencyP99.D())) {
		fails = append(fails, fmt.Sprintf("latency p99 %.1f ms > %.1f ms", r.P99, ms(g.MaxLatencyP99.D())))
	}
	// The ratio compares medians: robust to the stalls of a busy board,
	// which the absolute p99 gate is for.
	if g.MaxLatencyRatio > 0 && r.RefP50 > 0 && float64(r.P50) > g.MaxLatencyRatio*float64(r.RefP50) {
		fails = append(fails, fmt.Sprintf("median latency %.2f ms > %.1f× the reference's %.2f ms", r.P50, g.MaxLatencyRatio, r.RefP50))
	}
	if g.MinAccuracy > 0 && r.Labelled >= g.MinFrames && r.Accuracy < g.MinAccuracy {
		fails = append(fails, fmt.Sprintf("accuracy %.1f%% < %.1f%% on %d labelled frames", 100*r.Accuracy, 100*g.MinAccuracy, r.Labelled))
	}
	return strings.Join(fails, "; ")
}

// String is a one-line summary for reasons and logs.
func (r *Measure) String() string {
	acc := "n/a"
	if r.Accuracy >= 0 {
		acc = fmt.Sprintf("%.1f%%", 100*r.Accuracy)
	}
	return fmt.Sprintf("%d frames, agreement %.1f%%, errors %.1f%%, accuracy %s, latency p50 %.2f ms, p99 %.2f ms (reference %.2f, %.2f ms)",
		r.Frames, 100*r.Agreement, 100*r.ErrorRate, acc, r.P50, r.P99, r.RefP50, r.RefP99)
}
