package outbox

import (
	"encoding/binary"
	"fmt"
)

// Bucket and key names inside the bbolt file.
var (
	recordsBucket = []byte("records")
	metaBucket    = []byte("meta")
	stateKey      = []byte("state")
)

// state is the outbox's bookkeeping, stored under meta/state and updated in
// the same transaction as the records it describes, so it is always exact.
type state struct {
	Count     uint64 // records stored
	Bytes     uint64 // bytes of stored values
	Appended  uint64 // records ever appended
	Acked     uint64 // records ever deleted by Ack
	Evicted   uint64 // records ever evicted by the caps
	AckedUpTo uint64 // highest sequence passed to Ack
}

const (
	stateVersion = 1
	stateLen     = 1 + 6*8
)

// encode returns the state's stored form: a version byte and six
// big-endian uint64s.
func (s state) encode() []byte {
	b := make([]byte, 1, stateLen)
	b[0] = stateVersion
	for _, v := range []uint64{s.Count, s.Bytes, s.Appended, s.Acked, s.Evicted, s.AckedUpTo} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

// decodeState parses the stored form written by encode. The bytes come
// from a file on an SD card and are checked, never trusted.
func decodeState(b []byte) (state, error) {
	if len(b) != stateLen {
		return state{}, fmt.Errorf("%w: state record is %d bytes, want %d", ErrCorrupt, len(b), stateLen)
	}
	if b[0] != stateVersion {
		return state{}, fmt.Errorf("%w: state record version %d, this fovea reads version %d", ErrCorrupt, b[0], stateVersion)
	}
	u := func(i int) uint64 { return binary.BigEndian.Uint64(b[1+8*i:]) }
	s := state{Count: u(0), Bytes: u(1), Appended: u(2), Acked: u(3), Evicted: u(4), AckedUpTo: u(5)}
	if s.Count > s.Appended {
		return state{}, fmt.Errorf("%w: state record counts %d records but only %d were appended", ErrCorrupt, s.Count, s.Appended)
	}
	if s.Acked > s.Appended || s.Evicted > s.Appended || s.Acked+s.Evicted+s.Count != s.Appended {
		return state{}, fmt.Errorf("%w: state record does not add up: stored %d + acked %d + evicted %d != appended %d",
			ErrCorrupt, s.Count, s.Acked, s.Evicted, s.Appended)
	}
	if s.Count == 0 && s.Bytes != 0 {
		return state{}, fmt.Errorf("%w: state record has %d bytes in 0 records", ErrCorrupt, s.Bytes)
	}
	return s, nil
}

// seqKey is the record key for seq: 8 bytes big-endian, so bbolt's byte
// order is sequence order.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// keySeq parses a record key.
func keySeq(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, fmt.Errorf("%w: record key is %d bytes, want 8", ErrCorrupt, len(k))
	}
	return binary.BigEndian.Uint64(k), nil
}
