// Package outbox is Fovea's durable, bounded queue of results: a single
// bbolt file that the capture pipeline appends to and the MQTT syncer
// drains.
//
// # Records
//
// Every record is an opaque byte value (the agent stores one JSON result
// per record) under an 8-byte big-endian key taken from the bucket's
// NextSequence. Sequences only grow, survive restarts and never depend on
// the wall clock, which on a Raspberry Pi can boot at 1970.
//
// # Group commit
//
// Open starts one committer goroutine and Close stops it; the Outbox owns
// it and Close waits for it after committing every append still pending.
// Append hands the value to the committer and blocks until the batch that
// holds it has been committed (and fsynced) by bbolt. A batch is committed
// when Options.CommitBatch records are pending or Options.CommitInterval
// has passed since the first of them arrived, whichever comes first, so
// many cameras share one fsync. Mode SyncEachRecord commits every record
// in its own transaction; it exists as the benchmark baseline.
//
// A nil error from Append means acknowledged: the record is on disk and
// survives kill -9 and power loss (as far as the storage honours fsync).
// An error means the record may or may not have been stored.
//
// # Consumers
//
// The consumer (one, the MQTT syncer) reads batches after a cursor with
// Read, publishes them and then calls Ack, which deletes everything up to a
// sequence durably. Delivery is at-least-once: a crash between publish and
// Ack publishes the batch again after restart. Notify signals after each
// commit that added records.
//
// # Bounds
//
// The outbox holds at most Options.MaxRecords records and
// Options.MaxBytes bytes of values. A commit that would exceed either
// evicts the oldest records in the same transaction; every eviction is
// counted in Stats.Evicted, persisted in the file, and logged at warn
// (rate-limited). Freed pages are reused by later commits, so the file
// plateaus; Options.MaxFileBytes is a backstop: once the file reaches it,
// each commit evicts at least as many bytes as it adds, and bbolt's own
// Options.MaxSize, set a quarter above it, is the last line.
//
// # Full disk
//
// The file is kept allocated Options.ReserveBytes past the pages in use,
// and only Ack may use that reserve, so an outbox that filled its disk can
// still drain: appends that would need it fail with ErrDiskFull without
// writing anything. Failed commits are logged once per interval with the
// number of records lost.
package outbox
