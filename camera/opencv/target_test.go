package opencv

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/camera"
)

func TestParseTarget(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rest      string
		kind      kind
		wantErr   bool
		permanent bool
	}{
		{rest: "rtsp://10.0.0.2:554/stream1", kind: kindURL},
		{rest: "http://cam/video.mjpg", kind: kindURL},
		{rest: "v4l2src device=/dev/video0 ! videoconvert ! appsink", kind: kindPipeline},
		{rest: file, kind: kindFile},
		{rest: "/dev/video99", wantErr: true},
		{rest: "99", wantErr: true},
		{rest: filepath.Join(dir, "nope.mp4"), wantErr: true, permanent: true},
		{rest: dir, wantErr: true, permanent: true},
		{rest: " ", wantErr: true, permanent: true},
	}
	for _, tt := range tests {
		got, err := parseTarget(tt.rest)
		if tt.wantErr {
			if err == nil || errors.Is(err, camera.ErrPermanent) != tt.permanent {
				t.Errorf("parseTarget(%q) = %v, %v; want an error (permanent=%v)", tt.rest, got, err, tt.permanent)
			}
			continue
		}
		if err != nil || got.kind != tt.kind {
			t.Errorf("parseTarget(%q) = %+v, %v; want kind %d", tt.rest, got, err, tt.kind)
		}
	}
}
