//go:build !opencv

package opencv

import "github.com/fovea-edge/fovea/camera"

// Without the opencv build tag the scheme is known but not compiled in:
// camera.Open and camera.Check fail with camera.ErrUnavailable and this
// advice, and camera.Schemes does not list it.
func init() {
	camera.RegisterUnavailable("opencv", "use the OpenCV build of fovea (make build: -tags opencv, needs libopencv-dev)")
}
