package outbox

import (
	"os"
	"syscall"
)

// fallocate allocates bytes [off, off+n) of f, growing its size if needed
// (mode 0). File systems without fallocate answer EOPNOTSUPP.
func fallocate(f *os.File, off, n int64) error {
	for {
		err := syscall.Fallocate(int(f.Fd()), 0, off, n)
		if err != syscall.EINTR {
			return err
		}
	}
}
