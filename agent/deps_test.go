package agent

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layering of docs/architecture.md:
// camera/… and infer/… never import sync/… or agent/…, and sync/… never
// imports agent/….
func TestDependencyDirection(t *testing.T) {
	tests := []struct {
		pkgs      string
		forbidden []string
	}{
		{"github.com/fovea-edge/fovea/camera/...", []string{"github.com/fovea-edge/fovea/sync/", "github.com/fovea-edge/fovea/agent"}},
		{"github.com/fovea-edge/fovea/infer/...", []string{"github.com/fovea-edge/fovea/sync/", "github.com/fovea-edge/fovea/agent"}},
		{"github.com/fovea-edge/fovea/sync/...", []string{"github.com/fovea-edge/fovea/agent"}},
	}
	for _, tt := range tests {
		out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}: {{join .Deps " "}}`, tt.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", tt.pkgs, err, out)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
			pkg, deps, _ := strings.Cut(line, ": ")
			for _, d := range strings.Fields(deps) {
				for _, f := range tt.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s imports %s; %s must not depend on %s", pkg, d, tt.pkgs, f)
					}
				}
			}
		}
	}
}
