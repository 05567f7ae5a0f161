// Package fsutil writes files so that a crash or power loss leaves either
// the old or the new content, never a mix: write a temporary file in the
// same directory, fsync it, rename it over the target, fsync the
// directory. It stands in for internal/base/atomicfile, which has the same
// two functions, until that lands.
package fsutil

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data atomically and durably.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("fsutil.WriteFile: %w", err)
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory, making renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsutil.SyncDir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsutil.SyncDir: %w", err)
	}
	return nil
}
