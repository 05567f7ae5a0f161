//go:build unix

package fetch

import "golang.org/x/sys/unix"

// FreeSpace reports the space available to unprivileged users (f_bavail)
// on the file system holding dir.
func FreeSpace(dir string) (int64, bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false, err
	}
	free := uint64(st.Bavail) * uint64(st.Bsize) //nolint:unconvert // field types differ by platform
	if free > 1<<62 {
		free = 1 << 62
	}
	return int64(free), true, nil
}
