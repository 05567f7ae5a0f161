package agent

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// Camera states beyond the watchdog's (starting, fresh, stale, ended).
const (
	// stateOpening: the first connection has not succeeded yet.
	stateOpening = "opening"
	// stateRetrying: opening failed with an error that may pass (a device
	// not plugged in yet); the agent retries with back-off.
	stateRetrying = "retrying"
	// stateFailed: the camera cannot work with this configuration (bad
	// URI, missing folder, backend not in this build); no retry.
	stateFailed = "failed"
)

// cam is one configured camera and what the agent knows about it.
type cam struct {
	cfg  config.Camera
	log  *slog.Logger
	opts camera.Options

	captured  atomic.Uint64 // frames handed to the pipeline
	dropped   atomic.Uint64 // frames dropped by the full queue
	results   atomic.Uint64 // results appended to the outbox
	truthSeen atomic.Uint64 // results whose frame carried a truth label
	correct   atomic.Uint64 // of those, top-1 equal to the truth
	openFails atomic.Uint64 // failed attempts to open the source

	mu      sync.Mutex
	state   string            // guarded by mu; stateOpening, stateRetrying, stateFailed or "" once open
	lastErr string            // guarded by mu
	wd      *camera.Watchdog  // guarded by mu; nil until opened
	latest  *resultView       // guarded by mu; the newest result
	frame   latestFrame       // guarded by mu; the frame of latest (web.go)
	jpeg    frameCache        // the frame encoded on request (web.go)
	labels  map[string]uint64 // guarded by mu; top-1 label → results
}

func newCam(c config.Camera, staleAfter time.Duration, log *slog.Logger) *cam {
	opts := camera.Options{FPS: c.FPS, Loop: c.Loop, Width: c.Width, Height: c.Height, Logger: log}
	if !c.ROI.Empty() {
		opts.ROI = image.Rect(c.ROI.X, c.ROI.Y, c.ROI.X+c.ROI.W, c.ROI.Y+c.ROI.H)
	}
	return &cam{cfg: c, log: log, opts: opts, state: stateOpening}
}

// health reports the camera's state, last error and source counters.
func (c *cam) health() (state string, h camera.Health) {
	c.mu.Lock()
	state, wd := c.state, c.wd
	h.LastError = c.lastErr
	c.mu.Unlock()
	if wd == nil {
		return state, h
	}
	h = wd.Health()
	if state == "" {
		state = string(h.State)
	}
	return state, h
}

func (c *cam) setState(state string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = state
	if err != nil {
		c.lastErr = err.Error()
	}
}

// permanent reports whether retrying cannot fix a camera error.
func permanent(err error) bool {
	return errors.Is(err, camera.ErrPermanent) || errors.Is(err, camera.ErrUnknownScheme) || errors.Is(err, camera.ErrUnavailable)
}

// open connects the camera, retrying errors that may pass with back-off
// until ctx ends. The returned source reconnects by itself when the device
// or stream is lost later.
func (c *cam) open(ctx context.Context, staleAfter time.Duration) (*camera.Watchdog, error) {
	dial := func(ctx context.Context) (camera.Source, error) {
		return camera.Open(ctx, c.cfg.URI, c.opts)
	}
	opts := c.opts.WithDefaults()
	b := backoff.New(opts.ReconnectMin, opts.ReconnectMax, camera.DefaultJitter)
	for {
		src, err := camera.NewReconnecting(ctx, c.cfg.ID, dial, c.opts)
		if err == nil {
			wd := camera.NewWatchdog(src, staleAfter)
			c.mu.Lock()
			c.wd, c.state, c.lastErr = wd, "", ""
			c.mu.Unlock()
			return wd, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.openFails.Add(1)
		if permanent(err) {
			c.setState(stateFailed, err)
			return nil, fmt.Errorf("camera %s: %w", c.cfg.ID, err)
		}
		c.setState(stateRetrying, err)
		c.log.Warn("camera not available; retrying", "err", err)
		if err := b.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// capture runs one camera until its source ends, fails permanently, or
// ctx ends, pushing frames into q. It returns an error only for a
// permanent failure.
func (c *cam) capture(ctx context.Context, q *queue, staleAfter time.Duration) error {
	src, err := c.open(ctx, staleAfter)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		c.log.Error("camera failed; it will not be retried", "err", err)
		return err
	}
	defer func() {
		if err := src.Close(); err != nil {
			c.log.Warn("closing camera", "err", err)
		}
	}()
	c.log.Info("camera open", "uri", c.cfg.URI)
	for {
		f, err := src.Next(ctx)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, io.EOF):
			c.log.Info("camera source ended", "frames", c.captured.Load())
			return nil
		case errors.Is(err, camera.ErrPermanent):
			c.setState(stateFailed, err)
			c.log.Error("camera failed; it will not be retried", "err", err)
			return fmt.Errorf("camera %s: %w", c.cfg.ID, err)
		default:
			// The source reconnects with back-off on the next call; the
			// watchdog records the error for health.
			continue
		}
		now := camera.Since()
		j := job{cam: c, frame: f, enqueued: time.Now()}
		if f.Mono > 0 && now > f.Mono {
			j.capture = now - f.Mono
		}
		c.captured.Add(1)
		if c.cfg.OnFull == config.Wait {
			if !q.pushWait(ctx, j) {
				return nil
			}
		} else if q.push(j) {
			c.dropped.Add(1)
		}
	}
}
