package camera_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps dependencies flowing one way: camera packages never
// import the agent, sync, inference or metrics code, and without the
// opencv tag they need no cgo library.
func TestDeps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	const m = "github.com/fovea-edge/fovea/"
	args := []string{"list", "-deps", m + "camera", m + "camera/all", m + "camera/imagedir", m + "camera/mjpeg", m + "camera/opencv", m + "camera/synthetic", m + "internal/base/imaging", m + "internal/base/backoff"}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/fovea-edge/fovea/agent",
		"github.com/fovea-edge/fovea/sync/",
		"github.com/fovea-edge/fovea/infer",
		"github.com/prometheus/",
		"gocv.io/",
	}
	for dep := range strings.Lines(string(out)) {
		dep = strings.TrimSpace(dep)
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("camera/... depends on %s; camera must not import %s (and gocv only with -tags opencv)", dep, f)
			}
		}
	}
}
