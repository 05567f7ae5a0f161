// Package sharedtest locates the read-only test assets in ../shared beside
// the repository (real TFLite models, their golden outputs, labelled
// photos). Tests that need them call Dir, which skips the test with a clear
// message when the folder is absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides the location of the shared folder.
const EnvVar = "FOVEA_SHARED"

// Find returns the shared folder, or "" when it cannot be found. It honours
// $FOVEA_SHARED, then looks for ../shared beside the module root (the
// nearest parent of the working directory that holds go.mod).
func Find() string {
	if d := os.Getenv(EnvVar); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(filepath.Dir(dir), "shared")
			if isDir(d) {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns the shared folder joined with elem, skipping the test when the
// shared folder (or that path in it) is absent.
func Dir(t testing.TB, elem ...string) string {
	t.Helper()
	root := Find()
	if root == "" {
		t.Skipf("skipping: test assets not found (../shared beside the repository, or $%s); they hold the real models and goldens this test needs", EnvVar)
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: %s not found in the shared test assets: %v", filepath.Join(elem...), err)
	}
	return p
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
