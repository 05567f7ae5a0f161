package camera

import (
	"context"
	"time"
)

// Gate spaces frames to at most a given rate. A live camera produces frames
// at its own pace, so its frames are dropped when they come early (Allow);
// a folder or file is read on demand, so reading is paced instead (Wait).
// A nil *Gate lets everything through. A Gate is owned by one goroutine.
type Gate struct {
	interval time.Duration
	next     time.Time // earliest time of the next frame; zero before the first
}

// NewGate returns a Gate for fps frames per second, or nil when fps ≤ 0
// (no cap).
func NewGate(fps float64) *Gate {
	if !(fps > 0) {
		return nil
	}
	iv := time.Duration(float64(time.Second) / fps)
	if iv <= 0 {
		return nil
	}
	return &Gate{interval: iv}
}

// Interval is the minimum spacing of frames, 0 for a nil Gate.
func (g *Gate) Interval() time.Duration {
	if g == nil {
		return 0
	}
	return g.interval
}

// Allow reports whether a frame arriving now is due, and if so books the
// next slot. Slots are kept on a fixed grid so that the average rate is the
// cap even when frames arrive with jitter, but a long pause does not earn a
// burst.
func (g *Gate) Allow() bool {
	if g == nil {
		return true
	}
	now := time.Now()
	if !g.next.IsZero() && now.Before(g.next) {
		return false
	}
	g.book(now)
	return true
}

// Wait sleeps until the next slot (or returns ctx.Err() when ctx ends
// first), then books the slot after it.
func (g *Gate) Wait(ctx context.Context) error {
	if g == nil {
		return ctx.Err()
	}
	if now := time.Now(); !g.next.IsZero() && now.Before(g.next) {
		t := time.NewTimer(g.next.Sub(now))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	g.book(time.Now())
	return nil
}

func (g *Gate) book(now time.Time) {
	if g.next.IsZero() || now.Sub(g.next) >= g.interval {
		g.next = now.Add(g.interval)
		return
	}
	g.next = g.next.Add(g.interval)
}
