package imaging

import (
	"errors"
	"fmt"
	"image"
)

// Resizer scales src to exactly dst's bounds and writes opaque RGB into
// dst. It is the one resize type shared by the camera layer and the
// classifier.
type Resizer func(dst *image.RGBA, src image.Image)

// NewPillow returns a Resizer with its own Bilinear state (coefficients and
// buffers kept between calls): Pillow's Image.BILINEAR. It is not safe for
// concurrent use; make one per goroutine.
func NewPillow() Resizer { return new(Bilinear).Resize }

// Resize methods accepted by ByName.
const (
	// MethodPillow is Resize: pure Go, matches Pillow's BILINEAR.
	MethodPillow = "pillow"
	// MethodOpenCV is ResizeOpenCV: cv::resize, needs the opencv tag.
	MethodOpenCV = "opencv"
)

// ErrUnavailable is returned for a method whose backend was not compiled
// into this binary.
var ErrUnavailable = errors.New("resize backend not included in this build")

// ByName returns the resize function for a config value: "pillow" (or "")
// or "opencv". "opencv" in a binary built without the opencv tag is an
// error wrapping ErrUnavailable, never a silent fallback.
func ByName(method string) (Resizer, error) {
	switch method {
	case "", MethodPillow:
		return Resize, nil
	case MethodOpenCV:
		if resizeOpenCV == nil {
			return nil, fmt.Errorf("imaging.ByName: resize method %q: %w; rebuild with -tags opencv (needs libopencv-dev) or use %q", method, ErrUnavailable, MethodPillow)
		}
		return resizeOpenCV, nil
	}
	return nil, fmt.Errorf("imaging.ByName: unknown resize method %q; want %q or %q", method, MethodPillow, MethodOpenCV)
}
