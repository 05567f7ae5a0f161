//go:build opencv

package opencv

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"

	"github.com/fovea-edge/fovea/camera"
)

func init() {
	camera.Register("opencv", Open)
	camera.RegisterChecker("opencv", check)
}

// errNoFrame: a live capture returned no frame (device unplugged, stream
// dropped); the reconnecting wrapper reopens it.
var errNoFrame = errors.New("camera returned no frame")

// Open opens the camera, stream, pipeline or video file named by rest.
func Open(ctx context.Context, rest string, opts camera.Options) (camera.Source, error) {
	t, err := parseTarget(rest)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	if !t.live() {
		c, err := openCapture(t, opts)
		if err != nil {
			return nil, err
		}
		c.gate = camera.NewGate(opts.FPS) // a file is paced, not dropped
		c.loop = opts.Loop
		opts.FPS = 0
		return camera.Apply(c, opts), nil
	}
	dial := func(ctx context.Context) (camera.Source, error) { return openCapture(t, opts) }
	src, err := camera.NewReconnecting(ctx, "opencv:"+rest, dial, opts)
	if err != nil {
		return nil, err
	}
	return camera.Apply(src, opts), nil
}

// capture is one open cv::VideoCapture. Next and Close belong to one
// goroutine; Stats may be called from any.
type capture struct {
	t    target
	vc   *gocv.VideoCapture
	bgr  gocv.Mat // reused frame buffers
	rgba gocv.Mat
	gate *camera.Gate // files only
	loop bool         // files only
	seq  uint64

	frames atomic.Uint64
}

func openCapture(t target, opts camera.Options) (*capture, error) {
	var vc *gocv.VideoCapture
	var err error
	switch t.kind {
	case kindIndex:
		vc, err = gocv.VideoCaptureDevice(t.index)
	case kindDevice:
		vc, err = gocv.VideoCaptureFileWithAPI(t.name, gocv.VideoCaptureV4L2)
	case kindPipeline:
		vc, err = gocv.VideoCaptureFileWithAPI(t.name, gocv.VideoCaptureGstreamer)
	default:
		vc, err = gocv.VideoCaptureFile(t.name)
	}
	if err == nil && !vc.IsOpened() {
		vc.Close()
		err = errors.New("not opened")
	}
	if err != nil {
		switch t.kind {
		case kindIndex, kindDevice:
			return nil, fmt.Errorf("opencv:%s: cannot open camera (%v); check `v4l2-ctl --list-devices`, that no other process holds it, and that the user is in the video group", t.name, err)
		case kindFile:
			return nil, fmt.Errorf("opencv:%s: cannot open video file (%v); is it a video format this OpenCV build reads?: %w", t.name, err, camera.ErrPermanent)
		case kindPipeline:
			return nil, fmt.Errorf("opencv:%s: cannot start GStreamer pipeline (%v); does it end in appsink, and was OpenCV built with GStreamer?", t.name, err)
		}
		return nil, fmt.Errorf("opencv:%s: cannot open stream (%v)", t.name, err)
	}
	if opts.Width > 0 && opts.Height > 0 && t.live() {
		vc.Set(gocv.VideoCaptureFrameWidth, float64(opts.Width))
		vc.Set(gocv.VideoCaptureFrameHeight, float64(opts.Height))
	}
	return &capture{t: t, vc: vc, bgr: gocv.NewMat(), rgba: gocv.NewMat()}, nil
}

// Next reads and converts the next frame. The OpenCV read itself cannot
// be interrupted: ctx is checked before it, and a stalled device returns
// when OpenCV's own timeouts fire.
func (c *capture) Next(ctx context.Context) (camera.Frame, error) {
	if err := ctx.Err(); err != nil {
		return camera.Frame{}, err
	}
	if !c.read() {
		if c.t.live() {
			return camera.Frame{}, fmt.Errorf("opencv:%s: %w", c.t.name, errNoFrame)
		}
		if !c.loop || c.seq == 0 {
			return camera.Frame{}, io.EOF
		}
		c.vc.Set(gocv.VideoCapturePosFrames, 0) // rewind the file
		if !c.read() {
			return camera.Frame{}, fmt.Errorf("opencv:%s: cannot rewind the video file: %w", c.t.name, camera.ErrPermanent)
		}
	}
	img, err := c.toRGBA()
	if err != nil {
		return camera.Frame{}, err
	}
	mono, wall := camera.Since(), time.Now()
	if err := c.gate.Wait(ctx); err != nil {
		return camera.Frame{}, err
	}
	c.seq++
	c.frames.Add(1)
	return camera.Frame{Image: img, Seq: c.seq, Mono: mono, Wall: wall}, nil
}

// read grabs the next frame into c.bgr.
func (c *capture) read() bool { return c.vc.Read(&c.bgr) && !c.bgr.Empty() }

// live reports whether the target is a camera or stream rather than a
// file.
func (t target) live() bool { return t.kind != kindFile }

// toRGBA converts the BGR frame with cv::cvtColor and copies it into a new
// image (frames are handed on, so the buffer cannot be reused).
func (c *capture) toRGBA() (*image.RGBA, error) {
	switch c.bgr.Channels() {
	case 1:
		gocv.CvtColor(c.bgr, &c.rgba, gocv.ColorGrayToBGRA)
	case 4:
		gocv.CvtColor(c.bgr, &c.rgba, gocv.ColorBGRAToRGBA)
	default:
		gocv.CvtColor(c.bgr, &c.rgba, gocv.ColorBGRToRGBA)
	}
	data, err := c.rgba.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("opencv:%s: frame of type %v: %w", c.t.name, c.bgr.Type(), err)
	}
	img := image.NewRGBA(image.Rect(0, 0, c.rgba.Cols(), c.rgba.Rows()))
	if len(data) < len(img.Pix) {
		return nil, fmt.Errorf("opencv:%s: frame holds %d bytes; want %d", c.t.name, len(data), len(img.Pix))
	}
	copy(img.Pix, data)
	return img, nil
}

// Close releases the capture and its buffers.
func (c *capture) Close() error {
	err := c.vc.Close()
	c.bgr.Close()
	c.rgba.Close()
	return err
}

// Stats returns the counters.
func (c *capture) Stats() camera.Stats { return camera.Stats{Frames: c.frames.Load()} }
