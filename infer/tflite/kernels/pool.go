package kernels

import "sync"

// Pool splits one kernel call across a fixed set of goroutines: the caller
// runs the first share itself and workers−1 helper goroutines run the rest.
// It allocates nothing per call. A nil *Pool, or one with a single worker,
// runs everything on the caller.
//
// The Pool owns its helper goroutines; Close stops them and waits for them.
// Calls are serialized: several interpreters may share one Pool, but their
// kernels then take turns.
type Pool struct {
	helpers int            // helper goroutines started; never changes
	mu      sync.Mutex     // serializes run
	work    []chan span    // one per helper goroutine; guarded by mu, closed and cleared by Close
	busy    sync.WaitGroup // helpers running a span of the current call
	running sync.WaitGroup // helper goroutines alive
	once    sync.Once      // guards the close of work
}

// span is one worker's share [lo, hi) of a call's rows.
type span struct {
	j              *kernelJob
	worker, lo, hi int
}

// NewPool starts a Pool of workers goroutines in all (the caller counts as
// one, so workers−1 are started). workers < 1 is taken as 1.
func NewPool(workers int) *Pool {
	p := &Pool{helpers: max(workers-1, 0)}
	for range p.helpers {
		c := make(chan span)
		p.work = append(p.work, c)
		p.running.Add(1)
		go p.helper(c)
	}
	return p
}

// helper runs spans until its channel is closed.
func (p *Pool) helper(c chan span) {
	defer p.running.Done()
	for s := range c {
		s.j.fn(s.j, s.worker, s.lo, s.hi)
		p.busy.Done()
	}
}

// Workers returns how many goroutines (the caller included) share a call:
// 1 for a nil Pool.
func (p *Pool) Workers() int {
	if p == nil {
		return 1
	}
	return p.helpers + 1
}

// Close stops the helper goroutines and waits for them to exit. A closed
// Pool runs later calls on the caller alone. Close is idempotent.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		p.mu.Lock()
		for _, c := range p.work {
			close(c)
		}
		p.work = nil
		p.mu.Unlock()
	})
	p.running.Wait()
}

// run calls j.fn over [0, n) split into at most Workers() contiguous,
// nearly equal shares, one per worker, and returns when all are done.
// Worker w always gets share w, so it may use its own part of the scratch.
func (p *Pool) run(j *kernelJob, n int) {
	if p == nil || p.helpers == 0 || n < 2 {
		j.fn(j, 0, 0, n)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	w := min(len(p.work)+1, n)
	p.busy.Add(w - 1)
	for i := 1; i < w; i++ {
		p.work[i-1] <- span{j: j, worker: i, lo: n * i / w, hi: n * (i + 1) / w}
	}
	j.fn(j, 0, 0, n/w)
	p.busy.Wait()
}
