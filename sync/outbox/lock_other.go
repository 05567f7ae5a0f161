//go:build !unix

package outbox

import "os"

// tryLock is a no-op where bbolt does not use flock; bbolt's own lock
// still guards the file.
func tryLock(*os.File, bool) (bool, error) { return true, nil }
