//go:build opencv

package opencv

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/camera"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		uri string
		ok  bool
	}{
		{"opencv:0", true},
		{"opencv:/dev/video9", true}, // may be plugged in later
		{"opencv:rtsp://cam/stream", true},
		{"opencv:videotestsrc ! videoconvert ! appsink", true},
		{"opencv:", false},
		{"opencv:" + filepath.Join(dir, "missing.avi"), false},
		{"opencv:" + dir, false},
	}
	for _, tt := range tests {
		err := camera.Check(tt.uri)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, camera.ErrPermanent)) {
			t.Errorf("Check(%q) = %v; want ok=%v (errors wrap ErrPermanent)", tt.uri, err, tt.ok)
		}
	}
}
