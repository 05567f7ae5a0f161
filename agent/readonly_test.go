package agent

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// readOnlyDir returns a directory the test process cannot write to. Root
// ignores permission bits, so as root the directory is made immutable
// (chattr +i) and the test skips where that is not possible.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Skipf("running as root and chattr +i failed (%v: %s); cannot make a read-only directory", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
	}
	return dir
}
