// Package camera defines frame sources and the registry that opens them by
// URI scheme ("dir:./frames", "opencv:/dev/video0", "mjpeg:http://…",
// "synthetic:seed=1"). Backends live in subpackages and register themselves
// in init; a backend that needs a C library is compiled in only with its
// build tag, and opening its scheme without it is a clear error.
package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"time"

	"github.com/fovea-edge/fovea/internal/base/registry"
)

// Frame is one captured picture.
type Frame struct {
	// Image holds the pixels. Sources return *image.RGBA, *image.NRGBA,
	// *image.YCbCr or *image.Gray; consumers must not modify it.
	Image image.Image
	// Seq is the per-source sequence number, starting at 1 and increasing by
	// one for every frame the source delivers (dropped frames leave gaps
	// only downstream).
	Seq uint64
	// Mono is the monotonic capture time, as an offset from the process
	// start (see Since). It orders frames even when the wall clock jumps.
	Mono time.Duration
	// Wall is the wall-clock capture time. A board without RTC may report
	// 1970 until NTP syncs: order by Seq or Mono, never by Wall.
	Wall time.Time
	// Truth is the ground-truth label when the source knows it (the
	// synthetic scene does), otherwise "".
	Truth string
	// Name identifies the frame within its source when it has one: the
	// file name for dir:, empty for live cameras.
	Name string
}

// Source delivers frames. Implementations need not be safe for concurrent
// use: one goroutine owns a Source.
type Source interface {
	// Next blocks until the next frame is available or ctx ends. A finite
	// source (a folder read once, a video file) returns io.EOF when
	// exhausted. Other errors are either transient (the device vanished:
	// the caller may call Next again, and the source reconnects with
	// back-off) or permanent (wrapped ErrPermanent).
	Next(ctx context.Context) (Frame, error)
	// Close releases the device, stream or files.
	Close() error
}

// Options configure a source independently of its backend.
type Options struct {
	// FPS caps the delivered frame rate; 0 means as fast as the source
	// produces frames.
	FPS float64
	// Loop restarts finite sources (folders, files) at the end instead of
	// returning io.EOF.
	Loop bool
	// ROI crops every frame to this rectangle when not empty.
	ROI image.Rectangle
	// Width and Height ask a live device for a capture size; 0 = default.
	Width, Height int
	// Logger receives warnings (skipped files, lost streams, reconnects);
	// nil discards them.
	Logger *slog.Logger
	// ReconnectMin and ReconnectMax bound the jittered exponential back-off
	// between reconnect attempts of live sources; 0 = the defaults in
	// WithDefaults.
	ReconnectMin, ReconnectMax time.Duration
	// Timeout bounds connecting to a network stream and each wait for its
	// next bytes; 0 = the default in WithDefaults.
	Timeout time.Duration
}

// Opener opens a source for the part of the URI after "scheme:".
type Opener func(ctx context.Context, rest string, opts Options) (Source, error)

var (
	// ErrUnknownScheme is returned by Open for a URI whose scheme no
	// backend registered.
	ErrUnknownScheme = errors.New("unknown camera scheme")
	// ErrUnavailable is returned when a backend exists but was not compiled
	// into this binary (for example opencv: without the opencv build tag).
	ErrUnavailable = errors.New("camera backend not included in this build")
	// ErrPermanent marks errors that retrying cannot fix (bad URI,
	// unsupported format); sources wrap it.
	ErrPermanent = errors.New("permanent camera error")
)

var openers = registry.New[Opener]("camera scheme")

// Register makes a backend available under scheme. It panics on a
// duplicate, as registration happens in init functions.
func Register(scheme string, open Opener) { openers.Register(scheme, open) }

// Schemes lists the schemes whose backend is compiled into this binary,
// sorted. Schemes registered with RegisterUnavailable are not among them.
func Schemes() []string { return openers.Names() }

// Open opens the source named by uri ("scheme:rest"). URIs that start with
// rtsp://, http:// or https:// without a scheme prefix are not guessed:
// name the backend ("opencv:rtsp://…", "mjpeg:http://…").
func Open(ctx context.Context, uri string, opts Options) (Source, error) {
	open, rest, err := lookup(uri)
	if err != nil {
		return nil, fmt.Errorf("camera.Open %q: %w", uri, err)
	}
	src, err := open(ctx, rest, opts)
	if err != nil {
		return nil, fmt.Errorf("camera.Open %q: %w", uri, err)
	}
	return src, nil
}

var start = time.Now()

// Since returns the monotonic time since process start, the clock used for
// Frame.Mono.
func Since() time.Duration { return time.Since(start) }
