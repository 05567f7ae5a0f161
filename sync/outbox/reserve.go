package outbox

import (
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// The reserve keeps Ack possible on a full disk.
//
// bbolt never writes a page in place: an Ack writes new copies of the
// pages it changes, and frees the old ones only when it commits. When the
// free pages inside the file do not fit those copies, bbolt appends pages
// at the end of the file, which it has grown with ftruncate: a hole,
// without blocks on disk. On a disk the outbox itself filled, writing into
// that hole fails with ENOSPC; the Ack fails, nothing drains, and no space
// is ever freed.
//
// So the outbox keeps the file allocated (fallocate, or written zeros where
// the file system cannot) Options.ReserveBytes past bbolt's high-water
// mark, and lets appends use pages only below allocEnd-ReserveBytes,
// through bbolt's MaxSize, which bbolt checks before it allocates a page
// past the high-water mark. Acks run without that limit and use the
// reserved pages, which are real blocks: no write there can fail with
// ENOSPC. Before each append commit the reserve is extended again; when
// the disk is full, extending fails, appends that need new pages fail with
// ErrDiskFull without writing anything, and acks go on freeing pages that
// appends then reuse.

// growSlack is added to the bytes of a batch when estimating the pages its
// commit needs: keys, page headers and the branch pages above.
const growSlack = 64 << 10

// limitAppends runs at the start of an append transaction: it extends the
// reserve when the batch of batchBytes may need pages past it, and sets
// bbolt's MaxSize so that the commit cannot allocate into the reserve.
func (o *Outbox) limitAppends(tx *bolt.Tx, batchBytes int64) {
	o.held = false
	if o.opt.ReserveBytes <= 0 || o.file == nil {
		o.db.MaxSize = o.maxSize
		return
	}
	if need := tx.Size() + 2*batchBytes + growSlack + o.opt.ReserveBytes; need > o.allocEnd {
		o.extend(need)
	}
	limit := o.allocEnd - o.opt.ReserveBytes
	if o.maxSize > 0 && limit >= int64(o.maxSize) {
		o.db.MaxSize = o.maxSize
		return
	}
	o.held = true
	// MaxSize 0 would mean no limit: one byte lets appends use only the
	// free pages inside the file.
	o.db.MaxSize = int(max(limit, 1))
}

// limitAcks runs at the start of an ack transaction: acks may use the
// reserve.
func (o *Outbox) limitAcks() {
	o.db.MaxSize = o.maxSize
}

// initReserve runs in Open's transaction: the pages below the high-water
// mark hold data and are allocated; the reserve above it is made so.
func (o *Outbox) initReserve(tx *bolt.Tx) {
	o.allocEnd = tx.Size()
	if o.opt.ReserveBytes > 0 && o.file != nil {
		o.extend(tx.Size() + o.opt.ReserveBytes)
	}
}

// extend makes the file allocated up to at least need bytes: rounded up to
// the next allocSize first, so that the file grows in steps, and exactly
// need when the disk has no room for the step. On failure allocEnd stays
// and the error is kept for the message of the appends it refuses. The
// first failure after a success is logged, and so is the recovery.
func (o *Outbox) extend(need int64) {
	page := int64(o.db.Info().PageSize)
	need = (need + page - 1) / page * page
	target := (need + allocSize - 1) / allocSize * allocSize
	err := allocate(o.file, o.allocEnd, target-o.allocEnd)
	if err != nil && target > need {
		target = need
		err = allocate(o.file, o.allocEnd, target-o.allocEnd)
	}
	if err != nil {
		if o.extendErr == nil {
			o.log.Warn("outbox cannot grow its file: the disk is full; appends that need new pages fail, acks still free space",
				"reserve_bytes", o.opt.ReserveBytes, "err", err)
		}
		o.extendErr = err
		return
	}
	if o.extendErr != nil {
		o.log.Info("outbox can grow its file again")
	}
	o.extendErr = nil
	o.allocEnd = target
}

// heldError explains an append refused because it would have used the
// reserve.
func (o *Outbox) heldError(err error) error {
	cause := o.extendErr
	if cause == nil {
		cause = err
	}
	return fmt.Errorf("%w: %s: the file system is full; the outbox keeps its last %d bytes for acks, so it can drain and free space: %w",
		ErrDiskFull, o.path, o.opt.ReserveBytes, cause)
}

// allocate makes bytes [off, off+n) of f allocated on disk, growing f if
// needed: fallocate where the file system has it, written zeros where not.
func allocate(f *os.File, off, n int64) error {
	if n <= 0 {
		return nil
	}
	err := fallocate(f, off, n)
	if errors.Is(err, errors.ErrUnsupported) { // EOPNOTSUPP too
		err = writeZeros(f, off, n)
	}
	if err != nil {
		return fmt.Errorf("allocating %d bytes at %d: %w", n, off, err)
	}
	return nil
}

// writeZeros writes n zero bytes at off. It never overwrites data: the
// reserve lies past bbolt's high-water mark, and runs under the writer
// lock.
func writeZeros(f *os.File, off, n int64) error {
	buf := make([]byte, min(n, 64<<10))
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := f.WriteAt(buf[:k], off); err != nil {
			return err
		}
		off += k
		n -= k
	}
	return nil
}
