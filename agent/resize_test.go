package agent

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/base/imaging"
)

// TestResizeMethod: model.resize picks the frame resizer; "opencv" works
// only in builds with the opencv tag and is otherwise a clear error.
func TestResizeMethod(t *testing.T) {
	_, cvErr := imaging.ByName(imaging.MethodOpenCV)
	for _, method := range []string{imaging.MethodPillow, imaging.MethodOpenCV} {
		t.Run(method, func(t *testing.T) {
			cfg := testConfig(t, `  - {id: s, uri: "synthetic:seed=1&size=64&count=3", on_full: wait}`, "http: {listen: \"off\"}")
			cfg.Model.Resize = method
			a, err := New(cfg, Options{MaxResults: 3})
			if method == imaging.MethodOpenCV && cvErr != nil {
				if !errors.Is(err, imaging.ErrUnavailable) || !strings.Contains(err.Error(), "model.resize") {
					t.Fatalf("New with resize opencv in a build without it = %v; want ErrUnavailable naming model.resize", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New = %v", err)
			}
			if err := a.Run(context.Background()); err != nil {
				t.Fatalf("Run = %v", err)
			}
			if got := a.Status().Results; got < 3 {
				t.Errorf("results = %d; want ≥ 3", got)
			}
		})
	}
}
