package camera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// Dial opens one connection to a live source: one HTTP response, one
// capture handle. Reconnecting calls it again when the connection is lost.
type Dial func(ctx context.Context) (Source, error)

// Reconnecting is a Source that reopens its underlying connection when
// Next fails with a transient error. The failing Next returns the error
// (so the caller can log and count it); the following Next waits out a
// capped, jittered exponential back-off, reopens and reads on. io.EOF,
// errors wrapping ErrPermanent and context errors pass through without a
// reconnect. Frames are numbered from 1 across reconnects.
type Reconnecting struct {
	dial Dial
	name string
	log  *slog.Logger
	b    *backoff.Backoff // owned by the Next caller
	seq  uint64           // owned by the Next caller
	wait bool             // owned by the Next caller: back off before the next dial

	mu     sync.Mutex
	cur    Source // guarded by mu; nil while disconnected
	closed bool   // guarded by mu
	base   Stats  // guarded by mu: counters of closed connections

	frames     atomic.Uint64
	reconnects atomic.Uint64
	errors     atomic.Uint64
}

// NewReconnecting dials once and returns a Reconnecting source around the
// connection, or the dial error (a missing device or unreachable stream is
// reported at open time, clearly, rather than as a stale camera later).
// name identifies the source in logs (the URI). opts supplies the back-off
// bounds and the logger.
func NewReconnecting(ctx context.Context, name string, dial Dial, opts Options) (*Reconnecting, error) {
	opts = opts.WithDefaults()
	first, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	return &Reconnecting{
		dial: dial,
		name: name,
		log:  opts.Logger.With("camera", name),
		b:    backoff.New(opts.ReconnectMin, opts.ReconnectMax, DefaultJitter),
		cur:  first,
	}, nil
}

// Next returns the next frame, reconnecting first if the connection was
// lost.
func (r *Reconnecting) Next(ctx context.Context) (Frame, error) {
	r.mu.Lock()
	cur, closed := r.cur, r.closed
	r.mu.Unlock()
	if closed {
		return Frame{}, fmt.Errorf("camera %s: Next after Close: %w", r.name, ErrPermanent)
	}
	if cur == nil {
		var err error
		if cur, err = r.redial(ctx); err != nil {
			return Frame{}, err
		}
	}
	f, err := cur.Next(ctx)
	if err == nil {
		r.b.Reset()
		r.wait = false
		r.seq++
		f.Seq = r.seq
		r.frames.Add(1)
		return f, nil
	}
	if ctx.Err() != nil || errors.Is(err, io.EOF) || errors.Is(err, ErrPermanent) {
		return Frame{}, err
	}
	r.errors.Add(1)
	r.log.Warn("camera lost; will reconnect", "err", err)
	r.drop(cur)
	r.wait = true
	return Frame{}, fmt.Errorf("camera %s: connection lost (reconnecting with back-off): %w", r.name, err)
}

// redial waits out the back-off and opens a new connection.
func (r *Reconnecting) redial(ctx context.Context) (Source, error) {
	if r.wait {
		if err := r.b.Wait(ctx); err != nil {
			return nil, err
		}
	}
	src, err := r.dial(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.wait = true
		if errors.Is(err, ErrPermanent) {
			return nil, err
		}
		r.errors.Add(1)
		r.log.Warn("camera reconnect failed", "err", err)
		return nil, fmt.Errorf("camera %s: reconnect failed: %w", r.name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		src.Close()
		return nil, fmt.Errorf("camera %s: closed while reconnecting: %w", r.name, ErrPermanent)
	}
	r.cur = src
	r.reconnects.Add(1)
	r.log.Info("camera reconnected")
	return src, nil
}

// drop closes a lost connection and keeps its counters.
func (r *Reconnecting) drop(cur Source) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != cur {
		return
	}
	r.base = r.base.add(StatsOf(cur))
	r.cur = nil
	if err := cur.Close(); err != nil {
		r.log.Debug("closing lost connection", "err", err)
	}
}

// Close closes the current connection; Next fails afterwards.
func (r *Reconnecting) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.cur == nil {
		return nil
	}
	r.base = r.base.add(StatsOf(r.cur))
	err := r.cur.Close()
	r.cur = nil
	return err
}

// Stats sums the counters of every connection so far and adds the
// reconnect counts.
func (r *Reconnecting) Stats() Stats {
	r.mu.Lock()
	s := r.base
	if r.cur != nil {
		s = s.add(StatsOf(r.cur))
	}
	r.mu.Unlock()
	s.Frames = r.frames.Load()
	s.Reconnects += r.reconnects.Load()
	s.Errors += r.errors.Load()
	return s
}
