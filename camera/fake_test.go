package camera

import (
	"context"
	"image"
	"sync/atomic"
	"time"
)

// step is one scripted result of a scripted source: after waiting every,
// deliver a frame (err == nil) or fail with err.
type step struct {
	err error
}

// scripted is an in-memory Source: it sleeps every between results (real
// time, or fake time inside a synctest bubble) and then plays its script;
// past the end of the script it keeps delivering frames.
type scripted struct {
	every   time.Duration
	script  []step
	n       int
	seq     uint64
	skipped atomic.Uint64
	closed  atomic.Bool
}

func (s *scripted) Next(ctx context.Context) (Frame, error) {
	if s.every > 0 {
		t := time.NewTimer(s.every)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		case <-t.C:
		}
	}
	if s.n < len(s.script) {
		st := s.script[s.n]
		s.n++
		if st.err != nil {
			return Frame{}, st.err
		}
	}
	s.seq++
	s.skipped.Add(1) // pretend each frame followed a skipped input
	img := image.NewGray(image.Rect(0, 0, 4, 3))
	img.Pix[0] = uint8(s.seq)
	return Frame{Image: img, Seq: s.seq, Mono: Since(), Wall: time.Now()}, nil
}

func (s *scripted) Close() error { s.closed.Store(true); return nil }

func (s *scripted) Stats() Stats { return Stats{Skipped: s.skipped.Load()} }

// frames returns a script of n frames.
func frames(n int) []step { return make([]step, n) }
