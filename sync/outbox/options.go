package outbox

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Mode selects how appends reach the disk.
type Mode int

const (
	// GroupCommit batches appends from all goroutines into one bbolt
	// transaction (one fsync) per CommitInterval or CommitBatch records.
	GroupCommit Mode = iota
	// SyncEachRecord commits every record in its own transaction, one fsync
	// per record. It is the baseline of BenchmarkAppend; do not use it on
	// SD cards.
	SyncEachRecord
)

// String returns the mode's name as used in benchmarks and docs.
func (m Mode) String() string {
	switch m {
	case GroupCommit:
		return "group-commit"
	case SyncEachRecord:
		return "fsync-per-record"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Defaults, chosen for a Raspberry Pi writing to an SD card; docs/outbox.md
// explains them with measured numbers.
const (
	// DefaultCommitInterval bounds how long an Append waits for its batch:
	// at most 10 commits a second whatever the frame rate.
	DefaultCommitInterval = 100 * time.Millisecond
	// DefaultCommitBatch commits early once this many records are pending.
	DefaultCommitBatch = 256
	// DefaultMaxBytes caps the bytes of stored values (128 MiB, about
	// 250,000 results of 500 bytes: hours of results while offline).
	DefaultMaxBytes = 128 << 20
	// DefaultMaxRecords caps the number of stored records.
	DefaultMaxRecords = 1_000_000
	// DefaultMaxValueBytes caps one record.
	DefaultMaxValueBytes = 1 << 20
	// DefaultLockTimeout is how long Open waits for another process to
	// release the file lock.
	DefaultLockTimeout = time.Second
	// defaultFileSlack is added to 2×MaxBytes for the default MaxFileBytes:
	// bbolt's pages, freelist and pending pages on top of the values.
	defaultFileSlack = 32 << 20
	// DefaultReserveBytes is kept allocated past the pages in use, for
	// Ack on a full disk (reserve.go).
	DefaultReserveBytes = 1 << 20
	// allocSize is the step in which the file grows.
	allocSize = 4 << 20
	// evictLogInterval rate-limits the warning about evictions.
	evictLogInterval = 30 * time.Second
	// lostLogInterval rate-limits the error about failed commits (on a
	// full disk, every batch fails).
	lostLogInterval = 30 * time.Second
)

// Options configure an Outbox. The zero value is valid: every zero field
// takes its default.
type Options struct {
	// Logger receives eviction warnings and commit errors. Nil discards.
	Logger *slog.Logger
	// Mode is GroupCommit (default) or SyncEachRecord.
	Mode Mode
	// CommitInterval is the longest an append waits for other appends to
	// share its transaction. Default DefaultCommitInterval.
	CommitInterval time.Duration
	// CommitBatch commits as soon as this many appends are pending.
	// Default DefaultCommitBatch.
	CommitBatch int
	// MaxBytes caps the total size of the stored values; the oldest
	// records are evicted beyond it. Default DefaultMaxBytes.
	MaxBytes int64
	// MaxRecords caps the number of stored records; the oldest are evicted
	// beyond it. Default DefaultMaxRecords.
	MaxRecords int64
	// MaxValueBytes is the largest value Append accepts. Default
	// DefaultMaxValueBytes, and never more than MaxBytes.
	MaxValueBytes int
	// MaxFileBytes is the backstop on the file size: once the file reaches
	// it, every commit evicts at least as many bytes as it adds. Default
	// 2×MaxBytes + 32 MiB.
	MaxFileBytes int64
	// ReserveBytes is kept allocated on disk past the pages in use and
	// is used only by Ack, so that an outbox that filled its disk can
	// still drain and free space; appends that would need it fail with
	// ErrDiskFull. Default DefaultReserveBytes; negative disables it.
	ReserveBytes int64
	// LockTimeout is how long Open waits for the file lock held by another
	// process before failing with ErrInUse. Default DefaultLockTimeout;
	// it is never infinite.
	LockTimeout time.Duration
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CommitInterval == 0 {
		o.CommitInterval = DefaultCommitInterval
	}
	if o.CommitBatch == 0 {
		o.CommitBatch = DefaultCommitBatch
	}
	if o.Mode == SyncEachRecord {
		o.CommitBatch = 1
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRecords == 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.MaxValueBytes == 0 {
		o.MaxValueBytes = DefaultMaxValueBytes
	}
	if int64(o.MaxValueBytes) > o.MaxBytes && o.MaxBytes > 0 {
		o.MaxValueBytes = int(o.MaxBytes)
	}
	if o.MaxFileBytes == 0 && o.MaxBytes > 0 {
		o.MaxFileBytes = 2*o.MaxBytes + defaultFileSlack
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.ReserveBytes == 0 {
		o.ReserveBytes = DefaultReserveBytes
	}
	return o
}

// validate reports every invalid field at once.
func (o Options) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...))
	}
	if o.Mode != GroupCommit && o.Mode != SyncEachRecord {
		bad("Mode %d is unknown: use GroupCommit or SyncEachRecord", int(o.Mode))
	}
	if o.CommitInterval < 0 {
		bad("CommitInterval %v is negative", o.CommitInterval)
	}
	if o.CommitBatch < 0 {
		bad("CommitBatch %d is negative", o.CommitBatch)
	}
	if o.MaxBytes < 0 {
		bad("MaxBytes %d is negative", o.MaxBytes)
	}
	if o.MaxRecords < 0 {
		bad("MaxRecords %d is negative", o.MaxRecords)
	}
	if o.MaxValueBytes < 0 {
		bad("MaxValueBytes %d is negative", o.MaxValueBytes)
	}
	if o.MaxFileBytes < 0 {
		bad("MaxFileBytes %d is negative", o.MaxFileBytes)
	}
	if o.MaxFileBytes > 0 && o.MaxBytes > 0 && o.MaxFileBytes < o.MaxBytes {
		bad("MaxFileBytes %d is below MaxBytes %d: the file holds the values plus bbolt's pages", o.MaxFileBytes, o.MaxBytes)
	}
	if o.LockTimeout < 0 {
		bad("LockTimeout %v is negative: it must be positive (an infinite wait hangs the agent)", o.LockTimeout)
	}
	return errors.Join(errs...)
}
