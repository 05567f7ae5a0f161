package agent

import "sync/atomic"

// resultLimit admits at most max results (Options.MaxResults, fovea run
// --frames N): a worker takes a slot before it classifies a frame and
// gives it back when that frame yields no durable result, so exactly max
// results are appended and reported — not the max that stop() sees plus
// whatever the workers had in hand. A zero max admits everything.
type resultLimit struct {
	max   uint64
	taken atomic.Uint64
}

// take reserves a slot; false means the limit is reached.
func (l *resultLimit) take() bool {
	if l.max == 0 {
		return true
	}
	for {
		n := l.taken.Load()
		if n >= l.max {
			return false
		}
		if l.taken.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release gives back a slot whose frame produced no durable result.
func (l *resultLimit) release() {
	if l.max != 0 {
		l.taken.Add(^uint64(0))
	}
}
