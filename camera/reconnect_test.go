package camera

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fovea-edge/fovea/internal/base/backoff"
)

var errLost = errors.New("stream lost")

// dialer hands out scripted connections in order; a nil entry is a failed
// dial.
type dialer struct {
	conns []*scripted
	dials int
}

func (d *dialer) dial(ctx context.Context) (Source, error) {
	i := d.dials
	d.dials++
	if i >= len(d.conns) {
		return nil, fmt.Errorf("dial %d: %w", i, io.ErrUnexpectedEOF)
	}
	if d.conns[i] == nil {
		return nil, fmt.Errorf("dial %d refused", i)
	}
	return d.conns[i], nil
}

func TestReconnecting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c1 := &scripted{script: append(frames(2), step{errLost})}
		c2 := &scripted{script: append(frames(3), step{errLost})}
		c3 := &scripted{}
		d := &dialer{conns: []*scripted{c1, nil, nil, c2, c3}}
		opts := Options{ReconnectMin: time.Second, ReconnectMax: 3 * time.Second}
		r, err := NewReconnecting(t.Context(), "test:", d.dial, opts)
		if err != nil {
			t.Fatal(err)
		}
		r.b = backoff.New(opts.ReconnectMin, opts.ReconnectMax, 0) // no jitter in the test

		var seqs []uint64
		var errs int
		start := time.Now()
		for len(seqs) < 8 {
			f, err := r.Next(t.Context())
			if err != nil {
				if errors.Is(err, ErrPermanent) {
					t.Fatalf("Next = %v; want only transient errors", err)
				}
				errs++
				continue
			}
			seqs = append(seqs, f.Seq)
		}
		for i, s := range seqs {
			if s != uint64(i+1) {
				t.Fatalf("Seq values %v; want 1..8 across reconnects", seqs)
			}
		}
		// lost (wait 1s) refused (wait 2s) refused (wait 3s) ok, lost (wait 1s) ok
		if got := time.Since(start); got != 7*time.Second {
			t.Errorf("back-off waits took %v; want 7s", got)
		}
		if errs != 4 {
			t.Errorf("Next returned %d errors; want 4 (2 losses, 2 failed dials)", errs)
		}
		st := r.Stats()
		want := Stats{Frames: 8, Reconnects: 2, Errors: 4, Skipped: 8}
		if st != want {
			t.Errorf("Stats = %+v; want %+v", st, want)
		}
		if !c1.closed.Load() || !c2.closed.Load() {
			t.Error("lost connections were not closed")
		}
		if err := r.Close(); err != nil || !c3.closed.Load() {
			t.Errorf("Close = %v, connection closed %v", err, c3.closed.Load())
		}
		if _, err := r.Next(t.Context()); !errors.Is(err, ErrPermanent) {
			t.Errorf("Next after Close = %v; want ErrPermanent", err)
		}
	})
}

func TestReconnectingPassThrough(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"end of a finite source", io.EOF},
		{"permanent", fmt.Errorf("bad format: %w", ErrPermanent)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &dialer{conns: []*scripted{{script: []step{{}, {tt.err}}}}}
			r, err := NewReconnecting(t.Context(), "test:", d.dial, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Next(t.Context()); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Next(t.Context()); err != tt.err {
				t.Errorf("Next = %v; want %v unchanged", err, tt.err)
			}
			if d.dials != 1 || r.Stats().Errors != 0 {
				t.Errorf("dials = %d, errors = %d; want 1 and 0 (no reconnect)", d.dials, r.Stats().Errors)
			}
		})
	}
}

func TestReconnectingFirstDialFails(t *testing.T) {
	d := &dialer{}
	if _, err := NewReconnecting(t.Context(), "test:", d.dial, Options{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewReconnecting with a failing dial = %v; want the dial error", err)
	}
}

func TestReconnectingCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dialer{conns: []*scripted{{script: []step{{errLost}}}}}
		r, err := NewReconnecting(t.Context(), "test:", d.dial, Options{ReconnectMin: time.Hour, ReconnectMax: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.Next(t.Context()); !errors.Is(err, errLost) {
			t.Fatalf("Next = %v; want the loss", err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start := time.Now()
		if _, err := r.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Next during back-off = %v; want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("Next returned after %v; want 1s", got)
		}
	})
}
