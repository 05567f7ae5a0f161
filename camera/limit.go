package camera

import (
	"context"
	"sync/atomic"
)

// limited caps the frame rate of a live source by dropping early frames.
type limited struct {
	src     Source
	gate    *Gate
	seq     uint64 // owned by the Next caller
	frames  atomic.Uint64
	dropped atomic.Uint64
}

// LimitFPS returns a Source that delivers at most fps frames per second
// from src, dropping the frames that arrive before their slot (counted in
// Stats.Dropped), and numbering the delivered frames from 1. Use it for
// live sources; a source read on demand should pace its reads with
// Gate.Wait instead. fps ≤ 0 returns src unchanged.
func LimitFPS(src Source, fps float64) Source {
	g := NewGate(fps)
	if g == nil {
		return src
	}
	return &limited{src: src, gate: g}
}

func (l *limited) Next(ctx context.Context) (Frame, error) {
	for {
		f, err := l.src.Next(ctx)
		if err != nil {
			return Frame{}, err
		}
		if !l.gate.Allow() {
			l.dropped.Add(1)
			continue
		}
		l.seq++
		f.Seq = l.seq
		l.frames.Add(1)
		return f, nil
	}
}

func (l *limited) Close() error { return l.src.Close() }

func (l *limited) Stats() Stats {
	s := StatsOf(l.src)
	s.Frames = l.frames.Load()
	s.Dropped += l.dropped.Load()
	return s
}
