//go:build !opencv

package opencv

import (
	"errors"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/camera"
)

func TestUnavailable(t *testing.T) {
	for _, uri := range []string{"opencv:0", "opencv:/dev/video0", "opencv:clip.avi"} {
		_, err := camera.Open(t.Context(), uri, camera.Options{})
		if !errors.Is(err, camera.ErrUnavailable) || !strings.Contains(err.Error(), "-tags opencv") {
			t.Errorf("Open(%q) = %v; want ErrUnavailable telling how to rebuild", uri, err)
		}
	}
}
