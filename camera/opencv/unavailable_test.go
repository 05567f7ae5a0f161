//go:build !opencv

package opencv

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/camera"
)

func TestUnavailable(t *testing.T) {
	for _, uri := range []string{"opencv:0", "opencv:/dev/video0", "opencv:clip.avi", "opencv:rtsp://cam/stream"} {
		_, err := camera.Open(t.Context(), uri, camera.Options{})
		if !errors.Is(err, camera.ErrUnavailable) || !strings.Contains(err.Error(), "-tags opencv") {
			t.Errorf("Open(%q) = %v; want ErrUnavailable telling how to rebuild", uri, err)
		}
		if err := camera.Check(uri); !errors.Is(err, camera.ErrUnavailable) || !strings.Contains(err.Error(), "OpenCV build") {
			t.Errorf("Check(%q) = %v; want ErrUnavailable naming the OpenCV build", uri, err)
		}
	}
	if slices.Contains(camera.Schemes(), "opencv") {
		t.Errorf("camera.Schemes() = %v lists opencv in a build without it", camera.Schemes())
	}
}
