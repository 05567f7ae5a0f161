package agent

import (
	"context"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

// job is one captured frame waiting for inference.
type job struct {
	cam      *cam
	frame    camera.Frame
	capture  time.Duration // frame capture → handed to the pipeline
	enqueued time.Time
}

// queue holds a bounded ring of frames per camera. When a camera's ring is
// full, push drops that camera's oldest frame: the newest frame is always
// the one worth classifying. Workers take frames round robin across
// cameras so that one fast camera cannot starve the others.
type queue struct {
	size int

	// space has one channel per camera that receives a signal when a
	// frame of that camera is taken; only that camera's capture goroutine
	// waits on it (pushWait), so a one-slot channel loses no wake-up.
	space map[*cam]chan struct{}

	mu     sync.Mutex
	rings  map[*cam][]job // guarded by mu
	order  []*cam         // guarded by mu; round-robin order
	next   int            // guarded by mu; where the next pop starts
	total  int            // guarded by mu; frames queued over all cameras
	closed bool           // guarded by mu

	// wake holds at most one signal: "there may be work, or the queue
	// closed". A worker that takes a frame and leaves more behind passes
	// the signal on, so no wake-up is lost.
	wake chan struct{}
}

func newQueue(size int, cams []*cam) *queue {
	q := &queue{size: size, rings: make(map[*cam][]job, len(cams)), order: cams, wake: make(chan struct{}, 1),
		space: make(map[*cam]chan struct{}, len(cams))}
	for _, c := range cams {
		q.rings[c] = make([]job, 0, size)
		q.space[c] = make(chan struct{}, 1)
	}
	return q
}

// push queues j, dropping the camera's oldest frame when its ring is full.
// It reports whether a frame was dropped.
func (q *queue) push(j job) (dropped bool) {
	q.mu.Lock()
	r := q.rings[j.cam]
	if len(r) == q.size {
		copy(r, r[1:])
		r = r[:len(r)-1]
		dropped = true
		q.total--
	}
	q.rings[j.cam] = append(r, j)
	q.total++
	q.mu.Unlock()
	q.signal()
	return dropped
}

// pushWait queues j, waiting while the camera's ring is full. It returns
// false when ctx ends first.
func (q *queue) pushWait(ctx context.Context, j job) bool {
	for {
		q.mu.Lock()
		if len(q.rings[j.cam]) < q.size {
			q.rings[j.cam] = append(q.rings[j.cam], j)
			q.total++
			q.mu.Unlock()
			q.signal()
			return true
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-q.space[j.cam]:
		}
	}
}

// pop returns the next frame, waiting until one is queued. It returns false
// when ctx ends, or when the queue is closed and empty.
func (q *queue) pop(ctx context.Context) (job, bool) {
	for {
		q.mu.Lock()
		if q.total > 0 {
			j := q.take()
			more := q.total > 0
			q.mu.Unlock()
			if more {
				q.signal()
			}
			return j, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			q.signal() // wake the next idle worker so it sees the close too
			return job{}, false
		}
		select {
		case <-ctx.Done():
			return job{}, false
		case <-q.wake:
		}
	}
}

// take removes the oldest frame of the next camera that has one. q.mu is
// held and q.total > 0.
func (q *queue) take() job {
	for i := range q.order {
		c := q.order[(q.next+i)%len(q.order)]
		r := q.rings[c]
		if len(r) == 0 {
			continue
		}
		j := r[0]
		copy(r, r[1:])
		r[len(r)-1] = job{}
		q.rings[c] = r[:len(r)-1]
		q.total--
		q.next = (q.next + i + 1) % len(q.order)
		select {
		case q.space[c] <- struct{}{}:
		default:
		}
		return j
	}
	panic("agent: queue total out of step with its rings")
}

// close tells workers that no more frames will come; they drain what is
// queued and stop.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// len returns the number of queued frames of c.
func (q *queue) len(c *cam) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.rings[c])
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}
