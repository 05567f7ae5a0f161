package outbox

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Read returns up to maxRecords records with a sequence above after, in
// sequence order, stopping before the total of their values would exceed
// maxBytes (but always returning at least one record when there is one, so
// a large record cannot stall the consumer). maxBytes <= 0 means no byte
// limit. Records stay in the outbox until Ack.
func (o *Outbox) Read(after uint64, maxRecords int, maxBytes int) ([]Entry, error) {
	const op = "outbox.Read"
	if maxRecords <= 0 {
		return nil, fmt.Errorf("%s: %w: maxRecords is %d, want at least 1", op, ErrInvalidArgument, maxRecords)
	}
	if o.isClosed() {
		return nil, o.errClosed(op)
	}
	var out []Entry
	err := boltView(o.db, func(tx *bolt.Tx) error {
		rec := tx.Bucket(recordsBucket)
		if rec == nil || after == ^uint64(0) {
			return nil
		}
		total := 0
		c := rec.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < maxRecords; k, v = c.Next() {
			if maxBytes > 0 && len(out) > 0 && total+len(v) > maxBytes {
				break
			}
			seq, err := keySeq(k)
			if err != nil {
				return err
			}
			out = append(out, Entry{Seq: seq, Value: bytes.Clone(v)})
			total += len(v)
		}
		return nil
	})
	if err != nil {
		return nil, classify(op, o.path, err)
	}
	return out, nil
}

// Ack deletes every record with a sequence up to and including upTo, in
// one durable transaction, once the consumer has delivered them. Acking a
// sequence at or below an earlier Ack does nothing; acking beyond the last
// sequence ever appended is an error (it would hide a consumer bug).
func (o *Outbox) Ack(upTo uint64) error {
	const op = "outbox.Ack"
	if o.readOnly {
		return fmt.Errorf("%s: %s: %w", op, o.path, ErrReadOnly)
	}
	if o.isClosed() {
		return o.errClosed(op)
	}
	var snap snapshot
	err := boltUpdate(o.db, func(tx *bolt.Tx) error {
		o.limitAcks()
		rec := tx.Bucket(recordsBucket)
		meta := tx.Bucket(metaBucket)
		st, err := decodeState(meta.Get(stateKey))
		if err != nil {
			return err
		}
		if last := rec.Sequence(); upTo > last {
			return fmt.Errorf("%w: ack up to %d, but the last sequence appended is %d", ErrInvalidArgument, upTo, last)
		}
		if upTo <= st.AckedUpTo {
			return errNothingToAck
		}
		c := rec.Cursor()
		for k, v := c.First(); k != nil; k, v = c.First() {
			seq, err := keySeq(k)
			if err != nil {
				return err
			}
			if seq > upTo {
				break
			}
			size := uint64(len(v))
			if err := c.Delete(); err != nil {
				return err
			}
			st.Count--
			st.Bytes -= size
			st.Acked++
		}
		st.AckedUpTo = upTo
		if err := meta.Put(stateKey, st.encode()); err != nil {
			return err
		}
		snap, err = readSnapshot(tx)
		return err
	})
	if err == errNothingToAck {
		return nil
	}
	if err != nil {
		return classify(op, o.path, err)
	}
	o.setStats(snap)
	return nil
}

// errNothingToAck rolls back the transaction of an Ack that changes
// nothing, so that it costs no write.
var errNothingToAck = errors.New("nothing to ack")
