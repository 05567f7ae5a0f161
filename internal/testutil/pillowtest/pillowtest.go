// Package pillowtest finds the reference image pipeline for tests: a
// Python interpreter with Pillow (Debian bookworm's python3-pil, Pillow 9.4
// with libjpeg-turbo 2.1.5, made the golden inputs in ../shared).
package pillowtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Find returns a Python interpreter that can import Pillow, or "".
// $FOVEA_PYTHON wins; otherwise python3 on $PATH, then the system one
// (Debian's python3-pil lives there even when pyenv shadows it).
func Find(t testing.TB) string {
	t.Helper()
	cands := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("FOVEA_PYTHON"); p != "" {
		cands = []string{p}
	}
	for _, c := range cands {
		out, err := exec.Command(c, "-c", "import PIL; print(PIL.__version__)").Output()
		if err == nil {
			v := strings.TrimSpace(string(out))
			if !strings.HasPrefix(v, "9.4") {
				t.Logf("note: reference is Pillow %s via %s; the goldens were made with Pillow 9.4 / libjpeg-turbo 2.1.5", v, c)
			}
			return c
		}
	}
	return ""
}

// Python returns Find's interpreter, skipping the test when there is none.
func Python(t testing.TB) string {
	t.Helper()
	py := Find(t)
	if py == "" {
		t.Skip("skipping: no python3 with Pillow (apt-get install python3-pil, or set FOVEA_PYTHON)")
	}
	return py
}

// Run runs a Python script (its source) with Pillow and args, failing the
// test when it fails; it returns the script's standard output.
func Run(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	py := Python(t)
	p := filepath.Join(t.TempDir(), "script.py")
	if err := os.WriteFile(p, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, append([]string{p}, args...)...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("python %s: %v\n%s", filepath.Base(p), err, stderr)
	}
	return out
}
