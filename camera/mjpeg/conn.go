package mjpeg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
)

// conn is one HTTP response being read as a stream of frames.
type conn struct {
	*client
	r       *Reader
	body    io.Closer
	cancel  context.CancelFunc // aborts the response
	idle    *time.Timer        // fires cancel after client.timeout without data
	stalled atomic.Bool
	bad     int // undecodable parts in a row; owned by the Next caller

	frames  atomic.Uint64
	skipped atomic.Uint64
	dropped atomic.Uint64
}

// Next returns the next decodable JPEG part that the fps cap lets
// through.
func (c *conn) Next(ctx context.Context) (camera.Frame, error) {
	stop := context.AfterFunc(ctx, c.cancel)
	defer stop()
	for {
		part, err := c.r.NextPart()
		if err != nil {
			return camera.Frame{}, c.readErr(ctx, err)
		}
		if !isJPEG(part.ContentType) {
			c.skip(fmt.Errorf("part Content-Type %q is not image/jpeg", part.ContentType))
			if c.bad >= maxBadParts {
				return camera.Frame{}, fmt.Errorf("mjpeg: %d parts in a row were not JPEG: %w", c.bad, ErrGarbage)
			}
			continue
		}
		if !c.gate.Allow() {
			c.dropped.Add(1)
			continue
		}
		img, err := imgio.Decode(part.Body)
		if err != nil {
			c.skip(err)
			if c.bad >= maxBadParts {
				return camera.Frame{}, fmt.Errorf("mjpeg: %d parts in a row did not decode: %w", c.bad, ErrGarbage)
			}
			continue
		}
		c.bad = 0
		c.frames.Add(1)
		return camera.Frame{Image: camera.Normalize(img), Seq: c.frames.Load(), Mono: camera.Since(), Wall: time.Now()}, nil
	}
}

func (c *conn) skip(err error) {
	c.bad++
	c.skipped.Add(1)
	c.log.Warn("skipping undecodable MJPEG part", "err", err)
}

// readErr explains why reading the stream failed.
func (c *conn) readErr(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case c.stalled.Load():
		return fmt.Errorf("mjpeg: no data for %v: %w", c.timeout, ErrStalled)
	case errors.Is(err, ErrStreamEnded), errors.Is(err, io.EOF):
		return fmt.Errorf("mjpeg: server closed the stream: %w", ErrStreamEnded)
	}
	return fmt.Errorf("mjpeg: reading stream: %w", err)
}

// Close aborts the response.
func (c *conn) Close() error {
	c.idle.Stop()
	c.cancel()
	return c.body.Close()
}

// Stats returns this connection's counters.
func (c *conn) Stats() camera.Stats {
	return camera.Stats{Frames: c.frames.Load(), Skipped: c.skipped.Load(), Dropped: c.dropped.Load()}
}

func isJPEG(ctype string) bool {
	if ctype == "" {
		return true // many cameras send no part Content-Type
	}
	ct := strings.ToLower(ctype)
	return strings.HasPrefix(ct, "image/jpeg") || strings.HasPrefix(ct, "image/jpg") || strings.HasPrefix(ct, "image/pjpeg")
}

// idleReader arms a timer around each Read, so that a stream that stops
// sending is aborted after d instead of blocking forever.
type idleReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	ir.t.Reset(ir.d)
	n, err := ir.r.Read(p)
	ir.t.Stop()
	return n, err
}
