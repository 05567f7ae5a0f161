package outbox

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors returned by the outbox. They are wrapped with the operation and
// the file path; test them with errors.Is.
var (
	// ErrInUse means another process (usually the running agent) holds the
	// outbox file's lock and did not release it within Options.LockTimeout.
	ErrInUse = errors.New("outbox is in use by another process")

	// ErrCorrupt means the file is not a valid outbox: bbolt rejected its
	// meta pages, a page could not be read, or the outbox state record
	// could not be decoded.
	ErrCorrupt = errors.New("outbox file is corrupt")

	// ErrDiskFull means the file system holding the outbox ran out of
	// space while the file was written or grown.
	ErrDiskFull = errors.New("no space left on device for the outbox")

	// ErrNotWritable means the outbox file or its directory cannot be
	// written: a read-only file system, missing permissions or a path
	// component that is not a directory.
	ErrNotWritable = errors.New("outbox file cannot be written")

	// ErrNotExist means OpenReadOnly found no outbox file at the path.
	ErrNotExist = errors.New("outbox file does not exist")

	// ErrClosed is returned by operations on a closed Outbox.
	ErrClosed = errors.New("outbox is closed")

	// ErrReadOnly is returned by Append and Ack on an Outbox opened with
	// OpenReadOnly.
	ErrReadOnly = errors.New("outbox is opened read-only")

	// ErrTooLarge is returned by Append for a value larger than
	// Options.MaxValueBytes.
	ErrTooLarge = errors.New("value is larger than the outbox allows")

	// ErrInvalidArgument is returned for a bad argument to Read or Ack,
	// and for invalid Options.
	ErrInvalidArgument = errors.New("invalid argument")
)

// classify maps an error from bbolt or the file system to one of the
// sentinels above and adds what the operator should do about it. Errors it
// does not recognise are wrapped unchanged.
func classify(op, path string, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%s: %w: %s is locked (is the fovea agent running? stop it first, or read its /api/status): %w",
			op, ErrInUse, path, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping),
		errors.Is(err, ErrCorrupt):
		return corruptError(op, path, err)
	case errors.Is(err, syscall.ENOSPC), strings.Contains(msg, "no space left on device"):
		return fmt.Errorf("%s: %w: writing %s: free space on that file system or lower the outbox max_bytes: %w",
			op, ErrDiskFull, path, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, fs.ErrPermission),
		errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EPERM),
		strings.Contains(msg, "read-only file system"), strings.Contains(msg, "permission denied"):
		return fmt.Errorf("%s: %w: %s: make its directory writable by the fovea user, or point the data directory elsewhere: %w",
			op, ErrNotWritable, path, err)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w: %s: check the data directory (--data) or start the agent once to create it: %w",
			op, ErrNotExist, path, err)
	}
	return fmt.Errorf("%s: %s: %w", op, path, err)
}

// corruptError builds the error for an unreadable outbox file.
func corruptError(op, path string, err error) error {
	if errors.Is(err, ErrCorrupt) {
		return fmt.Errorf("%s: %s: move it aside and restart; fovea will create a new one: %w", op, path, err)
	}
	return fmt.Errorf("%s: %w: %s: move it aside and restart; fovea will create a new one: %w", op, ErrCorrupt, path, err)
}

// guard runs a bbolt transaction and turns a panic from bbolt, which is how
// it reports some page-level corruption, into ErrCorrupt.
func guard(fn func() error) (err error) {
	// A page id beyond the mapping of a damaged file faults; make that a
	// panic we can recover instead of a fatal error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: bbolt: %v", ErrCorrupt, r)
		}
	}()
	return fn()
}

// boltUpdate is db.Update under guard.
func boltUpdate(db *bolt.DB, fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.Update(fn) })
}

// boltView is db.View under guard.
func boltView(db *bolt.DB, fn func(*bolt.Tx) error) error {
	return guard(func() error { return db.View(fn) })
}
