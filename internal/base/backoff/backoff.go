// Package backoff waits between retries: the wait grows exponentially from
// a minimum, is capped at a maximum, carries random jitter so that many
// devices do not retry in lockstep, and ends early when the context ends.
//
// One attempt is a function; the loop around it owns a Backoff:
//
//	b := backoff.New(100*time.Millisecond, 30*time.Second, 0.2)
//	for {
//		err := attempt(ctx)
//		if err == nil {
//			b.Reset()
//			continue
//		}
//		if err := b.Wait(ctx); err != nil {
//			return err // ctx ended
//		}
//	}
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff computes and sleeps the delay before the next retry. It is not
// safe for concurrent use: the retry loop that owns it calls it.
type Backoff struct {
	min, max time.Duration
	jitter   float64
	// next is the un-jittered delay of the next Wait.
	next time.Duration
	// rand returns a float in [0, 1); replaced in tests.
	rand func() float64
}

// New returns a Backoff whose first Wait sleeps about min and whose waits
// double up to max. jitter in [0, 1] spreads each wait uniformly over
// ±jitter of its nominal value (0.2 = ±20%); values outside [0, 1] are
// clamped. A min ≤ 0 is taken as 1ms, a max below min as min.
func New(min, max time.Duration, jitter float64) *Backoff {
	if min <= 0 {
		min = time.Millisecond
	}
	if max < min {
		max = min
	}
	jitter = clamp(jitter, 0, 1)
	return &Backoff{min: min, max: max, jitter: jitter, next: min, rand: rand.Float64}
}

// Next returns the delay the next Wait will sleep and advances the
// schedule, without sleeping. The result never exceeds max.
func (b *Backoff) Next() time.Duration {
	d := b.next
	if b.next < b.max {
		b.next *= 2
		if b.next > b.max || b.next <= 0 {
			b.next = b.max
		}
	}
	if b.jitter > 0 {
		f := 1 + b.jitter*(2*b.rand()-1)
		d = time.Duration(float64(d) * f)
	}
	return min(max(d, 0), b.max)
}

// Wait sleeps the next delay. It returns ctx.Err() as soon as ctx ends,
// without waiting out the delay.
func (b *Backoff) Wait(ctx context.Context) error {
	d := b.Next()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Reset starts the schedule again at min; call it after a success.
func (b *Backoff) Reset() { b.next = b.min }

func clamp(v, lo, hi float64) float64 {
	if v != v { // NaN
		return lo
	}
	return min(max(v, lo), hi)
}
