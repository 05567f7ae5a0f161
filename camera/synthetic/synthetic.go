// Package synthetic is the synthetic: camera source: a rendered scene of
// labelled shapes (package internal/shapes) whose every frame carries its
// ground truth in Frame.Truth, so accuracy can be measured online and
// drift induced on purpose. It needs no camera, files or network.
//
// URI: synthetic:seed=1&size=64&fps=10&count=0&classes=circle,star
// &drift=brightness&drift_at=500&drift_amount=0.3 (all optional; see
// docs/demo-model.md for every parameter and drift kind). fps overrides
// Options.FPS. Frame Seq n shows scene frame n−1, so a seed reproduces the
// stream exactly, and frames from drift_at on carry the drift.
package synthetic

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

func init() {
	camera.Register("synthetic", Open)
	camera.RegisterChecker("synthetic", Check)
}

// Check is the camera.Checker for the synthetic: scheme: the parameters
// parse and describe a scene that can be rendered.
func Check(rest string) error {
	cfg, err := ParseURI(rest, 0)
	if err != nil {
		return err
	}
	_, err = New(cfg)
	return err
}

// Source renders the scene. Next and Close belong to one goroutine; Stats
// may be called from any.
type Source struct {
	cfg    Config
	gate   *camera.Gate
	seq    uint64 // owned by the Next caller
	frames atomic.Uint64
	closed atomic.Bool
}

// Open is the camera.Opener for the synthetic: scheme.
func Open(ctx context.Context, rest string, opts camera.Options) (camera.Source, error) {
	cfg, err := ParseURI(rest, opts.FPS)
	if err != nil {
		return nil, err
	}
	src, err := New(cfg)
	if err != nil {
		return nil, err
	}
	// The source paces its own rendering; only the ROI is generic.
	opts.FPS = 0
	return camera.Apply(src, opts), nil
}

// New returns a source for cfg.
func New(cfg Config) (*Source, error) {
	if err := cfg.Scene.Validate(); err != nil {
		return nil, fmt.Errorf("synthetic.New: %w: %w", camera.ErrPermanent, err)
	}
	return &Source{cfg: cfg, gate: camera.NewGate(cfg.FPS)}, nil
}

// Next renders the next frame, waiting for its slot when fps is set. It
// returns io.EOF after Count frames.
func (s *Source) Next(ctx context.Context) (camera.Frame, error) {
	if s.closed.Load() {
		return camera.Frame{}, fmt.Errorf("synthetic.Next: %w: source closed", camera.ErrPermanent)
	}
	if err := ctx.Err(); err != nil {
		return camera.Frame{}, err
	}
	if s.cfg.Count > 0 && s.seq >= s.cfg.Count {
		return camera.Frame{}, io.EOF
	}
	if err := s.gate.Wait(ctx); err != nil {
		return camera.Frame{}, err
	}
	s.seq++
	drifted := s.cfg.DriftAt > 0 && s.seq >= s.cfg.DriftAt
	f := s.cfg.Scene.Render(s.seq-1, drifted)
	s.frames.Add(1)
	return camera.Frame{
		Image: f.Image,
		Seq:   s.seq,
		Mono:  camera.Since(),
		Wall:  time.Now(),
		Truth: f.Label,
	}, nil
}

// Close ends the source; later Next calls fail.
func (s *Source) Close() error {
	s.closed.Store(true)
	return nil
}

// Stats returns the counters.
func (s *Source) Stats() camera.Stats { return camera.Stats{Frames: s.frames.Load()} }

// Config returns the parsed configuration.
func (s *Source) Config() Config { return s.cfg }
