package all

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/camera"
	_ "github.com/fovea-edge/fovea/camera/synthetic"
)

// TestSchemesRegistered: every backend is either compiled in (listed by
// Schemes) or known as unavailable, never both.
func TestSchemesRegistered(t *testing.T) {
	have, off := camera.Schemes(), camera.Unavailable()
	for _, want := range []string{"dir", "mjpeg", "opencv"} {
		if slices.Contains(have, want) == slices.Contains(off, want) {
			t.Errorf("scheme %q: in Schemes() %v = %v, in Unavailable() %v = %v; want exactly one", want, have, slices.Contains(have, want), off, slices.Contains(off, want))
		}
	}
}

// TestCheck covers what camera.Check says about URIs in general; each
// backend's own checker is tested in its package.
func TestCheck(t *testing.T) {
	tests := []struct {
		uri  string
		is   error
		want []string
	}{
		{"foo:bar", camera.ErrUnknownScheme, []string{`"foo"`, "schemes in this build: dir, mjpeg"}},
		{"rtsp://cam.local/stream", camera.ErrUnknownScheme, []string{"write opencv:rtsp://cam.local/stream"}},
		{"http://cam.local/video", camera.ErrUnknownScheme, []string{"write mjpeg:http://cam.local/video"}},
		{"frames", camera.ErrPermanent, []string{"want scheme:location"}},
		{"synthetic:seed=x", camera.ErrPermanent, []string{"seed"}},
		{"synthetic:size=3&classes=nope", camera.ErrPermanent, []string{"size"}},
		{"mjpeg:ftp://x", camera.ErrPermanent, []string{"not an http:// or https:// URL"}},
		{"synthetic:seed=2&size=32", nil, nil},
		{"mjpeg:http://127.0.0.1:8080/stream", nil, nil},
	}
	for _, tt := range tests {
		err := camera.Check(tt.uri)
		if tt.is == nil {
			if err != nil {
				t.Errorf("Check(%q) = %v; want nil", tt.uri, err)
			}
			continue
		}
		if !errors.Is(err, tt.is) {
			t.Errorf("Check(%q) = %v; want errors.Is %v", tt.uri, err, tt.is)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Check(%q) = %q; want it to contain %q", tt.uri, err, w)
			}
		}
	}
}
