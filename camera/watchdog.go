package camera

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// State is a camera's health as the watchdog sees it.
type State string

// Health states.
const (
	// StateStarting: no frame yet, and the stale-after limit has not
	// passed since the watchdog started.
	StateStarting State = "starting"
	// StateFresh: a frame arrived within the stale-after limit.
	StateFresh State = "fresh"
	// StateStale: no frame for longer than the limit (or none at all by
	// the time the limit has passed since the watchdog started).
	StateStale State = "stale"
	// StateEnded: a finite source is exhausted or failed permanently; the
	// camera will not deliver again.
	StateEnded State = "ended"
)

// Health is a snapshot of a watched source, for readiness checks and
// metrics.
type Health struct {
	State State
	// LastFrameAge is the time since the last frame, or since the watchdog
	// started when no frame has arrived yet.
	LastFrameAge time.Duration
	// LastFrame is the wall time of the last frame; zero if none.
	LastFrame time.Time
	// LastError is the last error Next returned, "" if none since the last
	// frame.
	LastError string
	// Stats are the source's counters.
	Stats Stats
}

// Fresh reports whether the camera delivered a frame recently.
func (h Health) Fresh() bool { return h.State == StateFresh }

// Watchdog wraps a Source and tracks how long ago it last delivered a
// frame. Its Health is computed when asked, so a Next that blocks forever
// on a frozen camera still turns the state stale; it needs no goroutine.
// Next and Close belong to the goroutine that owns the source; Health may
// be called from any goroutine.
type Watchdog struct {
	src        Source
	staleAfter time.Duration

	mu      sync.Mutex
	started time.Time // guarded by mu
	last    time.Time // guarded by mu; zero before the first frame
	lastErr string    // guarded by mu
	ended   bool      // guarded by mu
}

// NewWatchdog watches src; the camera counts as stale when no frame has
// arrived for longer than staleAfter.
func NewWatchdog(src Source, staleAfter time.Duration) *Watchdog {
	return &Watchdog{src: src, staleAfter: staleAfter, started: time.Now()}
}

// Next reads the next frame from the watched source and records it.
func (w *Watchdog) Next(ctx context.Context) (Frame, error) {
	f, err := w.src.Next(ctx)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil:
		w.last = now
		w.lastErr = ""
	case ctx.Err() != nil:
	case errors.Is(err, io.EOF) || errors.Is(err, ErrPermanent):
		w.ended = true
		w.lastErr = err.Error()
	default:
		w.lastErr = err.Error()
	}
	return f, err
}

// Close closes the watched source.
func (w *Watchdog) Close() error { return w.src.Close() }

// Stats returns the watched source's counters.
func (w *Watchdog) Stats() Stats { return StatsOf(w.src) }

// Health returns the current state.
func (w *Watchdog) Health() Health {
	now := time.Now()
	w.mu.Lock()
	h := Health{LastFrame: w.last, LastError: w.lastErr}
	since := w.started
	if !w.last.IsZero() {
		since = w.last
	}
	ended := w.ended
	w.mu.Unlock()
	h.LastFrameAge = now.Sub(since)
	switch {
	case ended:
		h.State = StateEnded
	case h.LastFrameAge > w.staleAfter:
		h.State = StateStale
	case h.LastFrame.IsZero():
		h.State = StateStarting
	default:
		h.State = StateFresh
	}
	h.Stats = w.Stats()
	return h
}
