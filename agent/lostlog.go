package agent

import (
	"log/slog"
	"sync"
	"time"
)

// lostLogInterval is the most often the agent logs lost results: on a full
// disk every append fails, and one line per result made 82 MB of log in
// ten minutes.
const lostLogInterval = 30 * time.Second

// lostLog rate-limits the error about results lost to failed appends: the
// first is logged at once, later ones at most once per lostLogInterval
// with the number lost since the last line. The zero value is ready; it is
// safe for concurrent use (every worker's finisher calls it).
type lostLog struct {
	mu   sync.Mutex
	last time.Time // guarded by mu; when the last line was logged
	n    uint64    // guarded by mu; results lost since then
}

// lost counts one lost result and logs it when a line is due.
func (l *lostLog) lost(log *slog.Logger, seq uint64, err error) {
	l.mu.Lock()
	l.n++
	if !l.last.IsZero() && time.Since(l.last) < lostLogInterval {
		l.mu.Unlock()
		return
	}
	n := l.n
	l.n = 0
	l.last = time.Now()
	l.mu.Unlock()
	log.Error("results lost: outbox append failed", "lost", n, "every", lostLogInterval, "last_seq", seq, "err", err)
}
