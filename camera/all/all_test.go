package all

import (
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/camera"
)

func TestSchemesRegistered(t *testing.T) {
	got := camera.Schemes()
	for _, want := range []string{"dir", "mjpeg", "opencv"} {
		if !slices.Contains(got, want) {
			t.Errorf("camera.Schemes() = %v; want it to contain %q", got, want)
		}
	}
}
