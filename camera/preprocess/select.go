package preprocess

import (
	"fmt"
	"image"

	"github.com/fovea-edge/fovea/camera"
)

// ResizeFunc scales src to exactly dst's bounds as opaque RGB; it has the
// shape of infer.Resizer.
type ResizeFunc func(dst *image.RGBA, src image.Image)

// Resize methods accepted by ByName.
const (
	// MethodPillow is Resize: pure Go, matches Pillow's BILINEAR.
	MethodPillow = "pillow"
	// MethodOpenCV is ResizeOpenCV: cv::resize, needs the opencv tag.
	MethodOpenCV = "opencv"
)

// ByName returns the resize function for a config value: "pillow" (or "")
// or "opencv". "opencv" in a binary built without the opencv tag is an
// error wrapping camera.ErrUnavailable, never a silent fallback.
func ByName(method string) (ResizeFunc, error) {
	switch method {
	case "", MethodPillow:
		return Resize, nil
	case MethodOpenCV:
		if resizeOpenCV == nil {
			return nil, fmt.Errorf("preprocess: resize method %q: not included in this build; rebuild with -tags opencv (needs libopencv-dev) or use %q: %w", method, MethodPillow, camera.ErrUnavailable)
		}
		return resizeOpenCV, nil
	}
	return nil, fmt.Errorf("preprocess: unknown resize method %q; want %q or %q", method, MethodPillow, MethodOpenCV)
}
