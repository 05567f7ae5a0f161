package fetch

import (
	"fmt"
	"path/filepath"
)

// DefaultReserve is the free space a download leaves on the file system by
// default, so the outbox and logs that share it keep room.
const DefaultReserve = 64 << 20

// FreeSpaceFunc returns the bytes available to an unprivileged writer on the
// file system holding dir. ok is false where the platform cannot tell.
type FreeSpaceFunc func(dir string) (free int64, ok bool, err error)

// checkSpace refuses a download of need more bytes into dst's folder when
// fewer than need+reserve bytes are free.
func checkSpace(freeSpace FreeSpaceFunc, dst string, need, reserve int64) error {
	if need <= 0 {
		return nil
	}
	dir := filepath.Dir(dst)
	free, ok, err := freeSpace(dir)
	if err != nil {
		return fmt.Errorf("check free space in %s: %w", dir, err)
	}
	if !ok {
		return nil
	}
	if free < need+reserve {
		return fmt.Errorf("%w in %s: need %d bytes (%d to download + %d reserve), %d free: free space or lower ota.disk_reserve",
			ErrDiskSpace, dir, need+reserve, need, reserve, free)
	}
	return nil
}
