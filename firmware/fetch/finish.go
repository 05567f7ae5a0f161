package fetch

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	return syncDir(filepath.Dir(dst))
}

// syncDir fsyncs a folder so a rename in it survives a power loss.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic replaces path with data: temporary file in the same
// folder, fsync, rename, fsync of the folder.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

func removeAll(paths []string) {
	for _, p := range paths {
		_ = os.Remove(p)
	}
}
