// Package opencv is the opencv: camera source, built on OpenCV through
// gocv. It is compiled in only with the opencv build tag (it needs
// libopencv-dev and cgo); without the tag, opening opencv: fails with
// camera.ErrUnavailable and says how to rebuild.
//
// URI forms:
//
//	opencv:0                       V4L2 device by index
//	opencv:/dev/video0             V4L2 device by path
//	opencv:rtsp://host/stream      network stream (FFmpeg), also http://
//	opencv:./clip.avi              video file: finite (io.EOF at the end,
//	                               or restarts with Options.Loop)
//	opencv:v4l2src ! videoconvert ! appsink
//	                               GStreamer pipeline (any URI with " ! ")
//
// Live sources (devices, streams, pipelines) reconnect with back-off when
// they stop delivering and drop frames beyond Options.FPS; video files are
// paced to Options.FPS instead. Frames are *image.RGBA.
package opencv

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/fovea-edge/fovea/camera"
)

// kind is what an opencv: URI names.
type kind int

const (
	kindIndex    kind = iota // V4L2 device by index
	kindDevice               // V4L2 device by path
	kindURL                  // network stream
	kindPipeline             // GStreamer pipeline
	kindFile                 // video file
)

// target is a parsed opencv: URI.
type target struct {
	kind  kind
	index int
	name  string // path, URL or pipeline
}

// parseTarget classifies rest and checks that a named device or file
// exists, so that a missing camera is a clear error at open time.
func parseTarget(rest string) (target, error) {
	rest = strings.TrimSpace(rest)
	switch {
	case rest == "":
		return target{}, fmt.Errorf("opencv: empty camera name; write opencv:/dev/video0, opencv:0, opencv:rtsp://… or opencv:FILE: %w", camera.ErrPermanent)
	case isDigits(rest):
		n, err := strconv.Atoi(rest)
		if err != nil {
			return target{}, fmt.Errorf("opencv:%s: bad device index: %w", rest, camera.ErrPermanent)
		}
		if _, err := os.Stat(fmt.Sprintf("/dev/video%d", n)); err != nil && os.IsNotExist(err) {
			return target{}, missingDevice(rest)
		}
		return target{kind: kindIndex, index: n, name: rest}, nil
	case strings.Contains(rest, " ! "):
		return target{kind: kindPipeline, name: rest}, nil
	case strings.Contains(rest, "://"):
		return target{kind: kindURL, name: rest}, nil
	case strings.HasPrefix(rest, "/dev/"):
		if _, err := os.Stat(rest); err != nil {
			return target{}, missingDevice(rest)
		}
		return target{kind: kindDevice, name: rest}, nil
	}
	fi, err := os.Stat(rest)
	if err != nil {
		return target{}, fmt.Errorf("opencv:%s: cannot open video file: %w: %w", rest, err, camera.ErrPermanent)
	}
	if fi.IsDir() {
		return target{}, fmt.Errorf("opencv:%s is a folder; for a folder of images use dir:%s: %w", rest, rest, camera.ErrPermanent)
	}
	return target{kind: kindFile, name: rest}, nil
}

func missingDevice(rest string) error {
	return fmt.Errorf("opencv:%s: cannot open camera: no such device; check `v4l2-ctl --list-devices` and that the user may read /dev/video*", rest)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
