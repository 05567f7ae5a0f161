package outbox

import "time"

// limiter rate-limits a repeated log line: it counts events and lets one
// line through at most once per interval, with the count since the last.
// It is not safe for concurrent use; each has one owner.
type limiter struct {
	every time.Duration
	last  time.Time // when a line was last let through; zero before the first
	n     uint64    // events since then
}

// add counts k events and reports whether a line is due, with the count to
// log; the count then starts again from zero.
func (l *limiter) add(k uint64) (uint64, bool) {
	l.n += k
	if l.n == 0 || (!l.last.IsZero() && time.Since(l.last) < l.every) {
		return 0, false
	}
	n := l.n
	l.n = 0
	l.last = time.Now()
	return n, true
}
