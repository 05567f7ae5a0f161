package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool splits one kernel call across a fixed set of goroutines: the caller
// and workers−1 helper goroutines claim chunks of the call's work units
// from a shared counter until none are left. It allocates nothing per
// call. A nil *Pool, or one with a single worker, runs everything on the
// caller.
//
// A model's operators are short (MobileNet v2: ~65 calls of ~100 µs each
// on the SIMD paths), so waking a parked goroutine for every call would
// cost about as much as the call. Helpers therefore wait for the next call
// in three stages (see helper): spinning for poolSpin after their last
// share, then sleeping in growing steps, and only after poolNaps sleeps
// parking on a channel. A call the helpers are slow to pick up is not
// waited for: the caller takes back a call no helper has claimed yet (see
// run), so a helper that is asleep or descheduled when a call comes
// delays nothing; only a chunk a helper has claimed is waited for.
//
// The Pool owns its helper goroutines; Close stops them and waits for them.
// Calls are serialized: several interpreters may share one Pool, but their
// kernels then take turns.
type Pool struct {
	helpers int        // helper goroutines started; never changes
	mu      sync.Mutex // serializes run
	slots   []poolSlot // one per helper
	// The current call, written by run before it posts the call to the
	// slots and read by helpers that took it.
	job     *kernelJob
	n       int
	chunk   int
	_       [64]byte
	next    atomic.Int64 // first unclaimed unit of the current call
	_       [56]byte
	calls   atomic.Uint64 // calls posted so far, taken back or not
	held    atomic.Int32  // Hold minus Release calls
	closed  atomic.Bool
	running sync.WaitGroup // helper goroutines alive
}

// poolSlot is one helper's mailbox, alone on its cache lines so the
// helpers' polling does not slow each other or the caller.
type poolSlot struct {
	_     [64]byte
	state atomic.Uint32 // slotIdle, slotPosted or slotTaken
	// parked is set while the helper waits on wake, so run knows to
	// send it a token.
	parked atomic.Bool
	wake   chan struct{} // capacity 1
	_      [64]byte
}

// Slot states. run moves idle → posted (a call for the helper) and back
// posted → idle when it takes the call back unclaimed; the helper moves
// posted → taken and, when its share is done, taken → idle.
const (
	slotIdle uint32 = iota
	slotPosted
	slotTaken
)

const (
	// poolSpin is how long a helper spins for the next call after its
	// last share: longer than the gap between two operators of a model
	// (the single-threaded ops in between take a few µs), short enough
	// that an idle Pool costs nothing measurable.
	poolSpin = 200 * time.Microsecond
	// poolNaps is how many times a helper then sleeps, poolNapMin
	// doubling up to poolNapMax (≈ 50 ms in all), before it parks.
	// Parking and waking through a channel takes a runtime wait record
	// that may be allocated (the runtime keeps them in per-thread
	// caches); a sleep does not, so back-to-back Invokes allocate
	// nothing.
	poolNaps   = 55
	poolNapMin = 20 * time.Microsecond
	poolNapMax = time.Millisecond
	// poolChunks is the number of chunks per worker a call is cut into:
	// enough that a late helper, or uneven units, leave little imbalance.
	poolChunks = 4
)

// NewPool starts a Pool of workers goroutines in all (the caller counts as
// one, so workers−1 are started). workers < 1 is taken as 1.
func NewPool(workers int) *Pool {
	p := &Pool{helpers: max(workers-1, 0)}
	p.slots = make([]poolSlot, p.helpers)
	for i := range p.slots {
		p.slots[i].wake = make(chan struct{}, 1)
		p.running.Add(1)
		go p.helper(&p.slots[i], i+1)
	}
	return p
}

// helper runs the calls posted to slot s as worker w until the Pool is
// closed.
func (p *Pool) helper(s *poolSlot, w int) {
	defer p.running.Done()
	// Sleep once and park at once: the goroutine's sleep timer and the
	// wait record of its first park are allocated now, not during a call.
	time.Sleep(time.Nanosecond)
	for first := true; p.await(s, first); first = false {
		if s.state.CompareAndSwap(slotPosted, slotTaken) {
			p.work(w)
			s.state.Store(slotIdle)
		}
	}
}

// await waits until a call is posted to s (true) or the Pool is closed
// (false): spinning for poolSpin, then poolNaps sleeps of growing length,
// then parked. Idleness counts from the last call posted, so a helper that
// slept through calls the caller took back goes back to spinning. The
// sleeps are counted rather than timed, so a helper whose thread the OS
// did not run for a while does not take that for idleness and park.
func (p *Pool) await(s *poolSlot, parkFirst bool) bool {
	start, seen := time.Now(), p.calls.Load()
	naps := 0
	for i := 0; !parkFirst; i++ {
		if s.state.Load() == slotPosted {
			return true
		}
		if p.closed.Load() {
			return false
		}
		if naps == 0 && i%64 != 63 {
			continue
		}
		if c := p.calls.Load(); c != seen {
			start, seen, naps = time.Now(), c, 0
		}
		if naps == 0 && time.Since(start) < poolSpin {
			runtime.Gosched()
			continue
		}
		if naps >= poolNaps && p.held.Load() == 0 {
			break
		}
		time.Sleep(min(poolNapMin<<min(naps, 16), poolNapMax))
		naps++
	}
	for {
		s.parked.Store(true)
		// A call posted (or Close) before parked was set is seen here;
		// one after it finds parked set and sends a token.
		if s.state.Load() == slotPosted || p.closed.Load() {
			if !s.parked.CompareAndSwap(true, false) {
				<-s.wake // a waker cleared parked and sends a token: take it
			}
			// Close waits for run, so a closed Pool has no call posted.
			return !p.closed.Load()
		}
		<-s.wake
		if s.state.Load() == slotPosted {
			return true
		}
		if p.closed.Load() {
			return false
		}
	}
}

// wakeUp sends s's helper a token if it is parked.
func (s *poolSlot) wakeUp() {
	if s.parked.CompareAndSwap(true, false) {
		s.wake <- struct{}{}
	}
}

// work claims and runs chunks of the current call as worker w until no
// unit is left.
func (p *Pool) work(w int) {
	j, n, chunk := p.job, int64(p.n), int64(p.chunk)
	for {
		lo := p.next.Add(chunk) - chunk
		if lo >= n {
			return
		}
		j.fn(j, w, int(lo), int(min(lo+chunk, n)))
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

// Hold tells the Pool that calls follow each other closely (one Invoke
// of a model) until the matching Release: meanwhile idle helpers sleep
// between polls but never park, even when the caller is not run by the OS
// for a while, so no call needs to wake a parked helper (which may
// allocate). Holds nest and may come from several goroutines.
func (p *Pool) Hold() {
	if p != nil {
		p.held.Add(1)
	}
}

// Release ends a Hold.
func (p *Pool) Release() {
	if p != nil {
		p.held.Add(-1)
	}
}

// Close stops the helper goroutines and waits for them to exit. A closed
// Pool runs later calls on the caller alone. Close is idempotent.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.closed.Store(true)
	for i := range p.slots {
		p.slots[i].wakeUp()
	}
	p.mu.Unlock()
	p.running.Wait()
}

// run calls j.fn over the units [0, n) in chunks, each chunk [lo, hi) run
// by one worker w (0 is the caller), and returns when all are done.
// Chunks are claimed in order from a shared counter, so a worker may run
// several, not necessarily adjacent; each worker uses only its own part
// of the scratch (indexed by w).
func (p *Pool) run(j *kernelJob, n int) {
	if p == nil || p.helpers == 0 || n < 2 {
		j.fn(j, 0, 0, n)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		j.fn(j, 0, 0, n)
		return
	}
	workers := min(p.helpers+1, n)
	p.job, p.n = j, n
	p.chunk = max(1, n/(workers*poolChunks))
	p.next.Store(0)
	p.calls.Add(1)
	for i := range workers - 1 {
		s := &p.slots[i]
		s.state.Store(slotPosted)
		s.wakeUp()
	}
	p.work(0)
	for i := range workers - 1 {
		s := &p.slots[i]
		// A helper that has not taken the call yet never will: the
		// units are all claimed. Take it back instead of waiting.
		if s.state.CompareAndSwap(slotPosted, slotIdle) {
			continue
		}
		awaitIdle(s)
	}
	p.job = nil
}

// awaitIdle waits until the helper of s has finished the share it took.
// The helper is running a chunk (or its thread is waiting for a CPU), so
// the caller spins, yielding to other goroutines every 64 polls. It never
// sleeps: a goroutine's first sleep allocates its timer, and the caller
// is whatever goroutine runs the kernels.
func awaitIdle(s *poolSlot) {
	for i := 0; s.state.Load() != slotIdle; i++ {
		if i%64 == 63 {
			runtime.Gosched()
		}
	}
}
