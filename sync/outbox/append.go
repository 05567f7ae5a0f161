package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// fillPercent packs the records bucket's pages: keys only ever grow, so
// bbolt's default half-full split would waste half of every page.
const fillPercent = 0.95

// request is one pending append. The committer sets seq and sends the
// outcome on done (capacity 1, so it never blocks).
type request struct {
	value []byte
	seq   uint64
	done  chan error
}

// Append stores a copy of value and blocks until the transaction holding
// it has been committed to disk, then returns its sequence. A nil error
// means the record is durable. If ctx ends first Append returns ctx's
// error, and the record may still be committed. Append fails with
// ErrTooLarge for values above Options.MaxValueBytes and with ErrClosed
// once Close has begun.
func (o *Outbox) Append(ctx context.Context, value []byte) (uint64, error) {
	const op = "outbox.Append"
	if o.readOnly {
		return 0, fmt.Errorf("%s: %s: %w", op, o.path, ErrReadOnly)
	}
	if len(value) > o.opt.MaxValueBytes {
		return 0, fmt.Errorf("%s: %w: %d bytes, the limit is %d (Options.MaxValueBytes): send smaller records",
			op, ErrTooLarge, len(value), o.opt.MaxValueBytes)
	}
	r := &request{value: bytes.Clone(value), done: make(chan error, 1)}
	if r.value == nil {
		r.value = []byte{}
	}
	if err := o.enqueue(ctx, r); err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	select {
	case err := <-r.done:
		if err != nil {
			return 0, fmt.Errorf("%s: %w", op, err)
		}
		return r.seq, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("%s: waiting for commit: %w", op, ctx.Err())
	}
}

// enqueue hands r to the committer. The read lock keeps Close from closing
// o.reqs while a send is in progress.
func (o *Outbox) enqueue(ctx context.Context, r *request) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return fmt.Errorf("%s: %w", o.path, ErrClosed)
	}
	select {
	case o.reqs <- r:
		o.pending.Add(1)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// commitLoop is the committer goroutine: it gathers appends into batches
// and commits each batch in one transaction. It returns once o.reqs is
// closed and drained, and closes o.done.
func (o *Outbox) commitLoop() {
	defer close(o.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	batch := make([]*request, 0, o.opt.CommitBatch)
	for {
		first, ok := <-o.reqs
		if !ok {
			return
		}
		batch = append(batch[:0], first)
		open := true
		if o.opt.CommitBatch > 1 {
			timer.Reset(o.opt.CommitInterval)
		gather:
			for len(batch) < o.opt.CommitBatch {
				select {
				case r, ok := <-o.reqs:
					if !ok {
						open = false
						break gather
					}
					batch = append(batch, r)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		o.commit(batch)
		clear(batch)
		if !open {
			return
		}
	}
}

// commit writes batch in one transaction, evicting the oldest records as
// the caps require, and reports the outcome to every request in it.
func (o *Outbox) commit(batch []*request) {
	var snap snapshot
	var evicted uint64
	var backstop, held bool
	var batchBytes int64
	for _, r := range batch {
		batchBytes += int64(len(r.value))
	}
	err := boltUpdate(o.db, func(tx *bolt.Tx) error {
		o.limitAppends(tx, batchBytes)
		held = o.held
		// tx.Size is the high-water mark of pages in use: the file minus
		// the reserve past it.
		backstop = o.opt.MaxFileBytes > 0 && tx.Size() >= o.opt.MaxFileBytes
		rec := tx.Bucket(recordsBucket)
		rec.FillPercent = fillPercent
		meta := tx.Bucket(metaBucket)
		st, err := decodeState(meta.Get(stateKey))
		if err != nil {
			return err
		}
		before := st.Bytes
		for _, r := range batch {
			seq, err := rec.NextSequence()
			if err != nil {
				return err
			}
			if err := rec.Put(seqKey(seq), r.value); err != nil {
				return err
			}
			r.seq = seq
			st.Count++
			st.Bytes += uint64(len(r.value))
			st.Appended++
		}
		maxBytes := uint64(o.opt.MaxBytes)
		if backstop {
			maxBytes = min(maxBytes, before)
		}
		if evicted, err = evict(rec, &st, uint64(o.opt.MaxRecords), maxBytes); err != nil {
			return err
		}
		if err := meta.Put(stateKey, st.encode()); err != nil {
			return err
		}
		snap, err = readSnapshot(tx)
		return err
	})
	if err != nil {
		if held && errors.Is(err, berrors.ErrMaxSizeReached) {
			err = o.heldError(err)
		} else {
			err = classify("commit", o.path, err)
		}
		o.logLost(len(batch), err)
	} else {
		o.setStats(snap)
		o.logRecovered()
		o.logEvictions(evicted, backstop)
		select {
		case o.notify <- struct{}{}:
		default:
		}
	}
	o.pending.Add(-int64(len(batch)))
	for _, r := range batch {
		r.done <- err
	}
}

// logLost logs a failed commit, whose records are lost, at most once per
// lostLogInterval, with the number of records lost since the last line.
func (o *Outbox) logLost(n int, err error) {
	if lost, ok := o.lostLog.add(uint64(n)); ok {
		o.log.Error("outbox commit failed: results lost", "lost", lost, "every", o.lostLog.every, "err", err)
	}
}

// logRecovered runs after a successful commit: records lost since the
// last line about failed commits are logged once the interval has passed,
// so that alternating failures and successes still make one line per
// interval.
func (o *Outbox) logRecovered() {
	if lost, ok := o.lostLog.add(0); ok {
		o.log.Warn("outbox commits succeed again; results were lost before", "lost", lost)
	}
}

// evict deletes the oldest records until st is within maxRecords and
// maxBytes, and returns how many it deleted.
func evict(rec *bolt.Bucket, st *state, maxRecords, maxBytes uint64) (uint64, error) {
	var n uint64
	c := rec.Cursor()
	for st.Count > maxRecords || st.Bytes > maxBytes {
		k, v := c.First()
		if k == nil {
			return n, fmt.Errorf("%w: state record counts %d records but the bucket is empty", ErrCorrupt, st.Count)
		}
		size := uint64(len(v))
		if err := c.Delete(); err != nil {
			return n, err
		}
		st.Count--
		st.Bytes -= size
		st.Evicted++
		n++
	}
	return n, nil
}

// logEvictions warns about evicted records, at most once per
// evictLogInterval, with the number evicted since the last warning.
func (o *Outbox) logEvictions(n uint64, backstop bool) {
	if backstop && !o.backstopLogged {
		o.backstopLogged = true
		o.log.Error("outbox file reached MaxFileBytes: from now on every commit evicts as much as it adds",
			"max_file_bytes", o.opt.MaxFileBytes, "file_bytes", o.fileSize())
	}
	if evicted, ok := o.evictLog.add(n); ok {
		o.log.Warn("outbox full: evicted oldest records that were never sent",
			"evicted", evicted, "max_bytes", o.opt.MaxBytes, "max_records", o.opt.MaxRecords)
	}
}

// fileSize returns the size of the outbox file, or 0 if it cannot be read.
func (o *Outbox) fileSize() int64 {
	fi, err := os.Stat(o.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
