//go:build unix

package store

import (
	"fmt"
	"syscall"
)

func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("store.Free: %w", err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
