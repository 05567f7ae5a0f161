package monitor

import (
	"context"
	"testing"
	"time"
)

// steadyFrames returns a warmed-up monitor and undrifted frames to cycle
// through: enough distinct ones that a window of them looks like the
// reference (a few repeated frames would rightly look like drift).
func steadyFrames(t testing.TB) (*Monitor, []Frame, *scene) {
	s := newScene(t)
	m, next := warmMonitor(t, s, small(Config{Embedding: demoTensor}))
	fs := make([]Frame, 250)
	for i := range fs {
		s.frame(t, baseScene, next+uint64(i), false, &fs[i])
		fs[i].Embedding = append([]float32(nil), fs[i].Embedding...)
	}
	return m, fs, s
}

func TestObserveAllocatesNothing(t *testing.T) {
	m, fs, _ := steadyFrames(t)
	seq := fs[len(fs)-1].Seq
	n := testing.AllocsPerRun(1000, func() {
		seq++
		f := &fs[seq%uint64(len(fs))]
		f.Seq = seq
		if r := m.Observe(f); len(r.Events) > 0 {
			t.Fatalf("events in the steady state: %+v", r.Events)
		}
	})
	if n != 0 {
		t.Errorf("Observe allocates %v times per frame in the steady state; want 0", n)
	}
}

// BenchmarkObserve measures the monitor per result (every test, the
// 16×16-point frame statistics and the 32-dimension embedding test of the
// demo model) and, in the same loop and on the same frame just before it,
// what the agent does to make the result: classify the frame with the demo
// model (preprocessing and one Invoke). It reports the monitor's cost as a
// percentage of that. Frames cycle through 250 distinct ones, as a camera
// delivers new pictures; each is in the cache after classification, as in
// the agent.
func BenchmarkObserve(b *testing.B) {
	m, fs, s := steadyFrames(b)
	ctx := context.Background()
	seq := fs[len(fs)-1].Seq
	var obs, cls time.Duration
	b.ReportAllocs()
	for b.Loop() {
		seq++
		f := &fs[seq%uint64(len(fs))]
		f.Seq = seq
		t0 := time.Now()
		if _, err := s.c.Classify(ctx, f.Image, 5); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		m.Observe(f)
		obs += time.Since(t1)
		cls += t1.Sub(t0)
	}
	b.ReportMetric(float64(obs.Nanoseconds())/float64(b.N), "ns/observe")
	b.ReportMetric(float64(cls.Nanoseconds())/float64(b.N), "ns/classify")
	b.ReportMetric(100*float64(obs)/float64(cls), "%-of-classify")
}
