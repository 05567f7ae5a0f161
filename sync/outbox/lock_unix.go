//go:build unix

package outbox

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes a non-blocking flock on f, the lock bbolt uses; it reports
// false when another open file holds a conflicting lock. Closing f
// releases it.
func tryLock(f *os.File, exclusive bool) (bool, error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
