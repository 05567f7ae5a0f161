package outbox

import (
	"syscall"

	berrors "go.etcd.io/bbolt/errors"
)

func errNo(name string) error {
	return map[string]syscall.Errno{
		"ENOSPC": syscall.ENOSPC, "EROFS": syscall.EROFS, "EACCES": syscall.EACCES, "ENOENT": syscall.ENOENT,
	}[name]
}

func errTimeout() error { return berrors.ErrTimeout }
