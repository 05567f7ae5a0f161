package mqttsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fovea-edge/fovea/internal/base/backoff"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// pollInterval bounds how long the drain loop trusts Notify alone.
const pollInterval = 5 * time.Second

// packetOverhead bounds the bytes of a QoS 1 PUBLISH besides topic and
// payload: fixed header (5), topic length (2), packet id (2), properties (5).
const packetOverhead = 16

// drainLoop publishes the outbox oldest-first until ctx ends. A batch is
// acked in the outbox only after the broker acknowledged it, so every
// record is delivered at least once. It returns an error only when the
// queue is closed (nothing more can be done).
func (s *Syncer) drainLoop(ctx context.Context) error {
	bo := backoff.New(s.cfg.RetryMin, s.cfg.RetryMax, 0.2)
	var acked uint64 // cursor: newest seq acked by this loop
	var next time.Time
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	for {
		if err := s.client().AwaitConnection(ctx); err != nil {
			return nil // ctx ended
		}
		if !next.IsZero() {
			if err := sleepUntil(ctx, next); err != nil {
				return nil
			}
		}
		n, size, err := s.drainOnce(ctx, &acked)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, outbox.ErrClosed):
			return fmt.Errorf("drain: %w", err)
		case err != nil:
			s.noteDrainError(err)
			if bo.Wait(ctx) != nil {
				return nil
			}
		case n == 0:
			bo.Reset()
			select {
			case <-ctx.Done():
				return nil
			case <-s.q.Notify():
			case <-poll.C:
			}
		default:
			bo.Reset()
			if r := s.cfg.RateBytesPerSecond; r > 0 {
				if now := time.Now(); next.Before(now) {
					next = now
				}
				next = next.Add(time.Duration(float64(size) / float64(r) * float64(time.Second)))
			}
		}
	}
}

// drainOnce publishes one batch after *acked and acks it. It returns the
// number of records delivered (0 when the outbox is empty) and the
// payload size.
func (s *Syncer) drainOnce(ctx context.Context, acked *uint64) (n, size int, err error) {
	limit := s.cfg.MaxPacketBytes
	if b := s.client().MaxPacketSize(); b > 0 && b < limit {
		limit = b
	}
	packetLimit := limit - packetOverhead - len(s.topics.results)
	rawLimit := min(s.cfg.BatchBytes, packetLimit)
	entries, err := s.q.Read(*acked, s.cfg.BatchRecords, rawLimit)
	if err != nil {
		return 0, 0, fmt.Errorf("read outbox: %w", err)
	}
	if len(entries) == 0 {
		return 0, 0, nil
	}
	payload, n, bad, _ := s.enc.encode(entries, rawLimit, packetLimit)
	if err := s.publish(ctx, "results", Message{Topic: s.topics.results, Payload: payload}); err != nil {
		return 0, 0, fmt.Errorf("publish %d results (seq %d..%d): %w", n, entries[0].Seq, entries[n-1].Seq, err)
	}
	last := entries[n-1].Seq
	if err := s.q.Ack(last); err != nil {
		// Delivered but not acked: the batch will be sent again (a
		// duplicate, which at-least-once allows).
		return 0, 0, fmt.Errorf("ack outbox up to %d: %w", last, err)
	}
	*acked = last
	now := time.Now()
	s.m.delivered.Add(float64(n))
	s.m.droppedRecords.Add(float64(bad))
	s.m.lastPublish.Set(float64(now.UnixNano()) / 1e9)
	s.m.ackedSeq.Set(float64(last))
	s.updateHealth(func(h *Health) {
		h.LastPublishAt = now
		h.Delivered += uint64(n)
		h.Dropped += uint64(bad)
		h.AckedSeq = last
		h.Rejection = ""
	})
	if bad > 0 {
		s.log.Error("records could not be sent and were replaced by error entries", "count", bad, "upto_seq", last)
	}
	return n, len(payload), nil
}

func (s *Syncer) noteDrainError(err error) {
	var rej *RejectedError
	rejected := errors.As(err, &rej)
	msg := err.Error()
	var repeated bool
	s.updateHealth(func(h *Health) {
		repeated = h.LastError == msg || (rejected && h.Rejection == rej.Error())
		h.LastError = msg
		h.LastErrorAt = time.Now()
		if rejected {
			h.Rejection = rej.Error()
			h.Rejected++
		}
	})
	switch {
	case repeated:
		s.log.Debug("results still not delivered; will retry", "err", err)
	case rejected:
		s.log.Error("broker rejected results; keeping them in the outbox and retrying", "err", err)
	default:
		s.log.Warn("results not delivered; will retry", "err", err)
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
