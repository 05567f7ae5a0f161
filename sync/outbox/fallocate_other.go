//go:build !linux

package outbox

import (
	"errors"
	"os"
)

// fallocate is Linux's; elsewhere allocate writes zeros.
func fallocate(*os.File, int64, int64) error { return errors.ErrUnsupported }
