package fetch

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// partialPath is where a fetch writes until the file is complete.
func partialPath(dst string) string { return dst + ".partial" }

// finish checks that the partial file f (already complete) has the announced
// hash, syncs it, closes it and renames it to dst. On a hash mismatch it
// removes the partial file and the side files, so the next try starts over.
func finish(f *os.File, src Source, dst string, sideFiles ...string) error {
	want, err := src.sum()
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(f, 0, src.Size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("hash %s: %w", f.Name(), err)
	}
	var got [32]byte
	h.Sum(got[:0])
	if n != src.Size || got != want {
		removeAll(append(sideFiles, f.Name()))
		if n != src.Size {
			return fmt.Errorf("%w: got %d bytes, announced %d", ErrSizeMismatch, n, src.Size)
		}
		return fmt.Errorf("%w: got %x, announced %s (the partial download was removed)", ErrHashMismatch, got, src.SHA256)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return fmt.Errorf("rename to %s: %w", dst, err)
	}
	removeAll(sideFiles)
	return atomicfile.SyncDir(filepath.Dir(dst))
}

func removeAll(paths []string) {
	for _, p := range paths {
		_ = os.Remove(p)
	}
}
