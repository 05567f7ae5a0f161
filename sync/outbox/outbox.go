package outbox

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// FileName is the outbox file's name inside the agent's data directory.
const FileName = "outbox.db"

// Outbox is a durable, bounded queue of records in one bbolt file. Its
// methods are safe for concurrent use.
type Outbox struct {
	path     string
	db       *bolt.DB
	file     *os.File // bbolt's file, for growing the reserve; nil when read-only
	opt      Options
	log      *slog.Logger
	readOnly bool
	maxSize  int // bbolt's MaxSize for acks; appends may get less (reserve.go)

	// Guarded by bbolt's writer lock: read and written only inside
	// update transactions (and by Open before the committer starts).
	allocEnd  int64 // the file's bytes known to be allocated on disk
	held      bool  // appends are limited to allocEnd-ReserveBytes
	extendErr error // why the last extension of the reserve failed

	reqs   chan *request // appends for the committer; closed by Close
	done   chan struct{} // closed when the committer has returned
	notify chan struct{} // capacity 1; signalled after commits that added records

	pending atomic.Int64 // appends handed to the committer and not yet committed

	mu     sync.RWMutex // guards closed; held for reading while sending on reqs
	closed bool

	statsMu sync.Mutex
	stats   snapshot // guarded by statsMu

	evictLog       limiter // owned by the committer
	lostLog        limiter // owned by the committer
	backstopLogged bool    // owned by the committer
}

// snapshot is the state after one committed transaction.
type snapshot struct {
	txID      int
	st        state
	oldestSeq uint64
	newestSeq uint64
}

// Stats describe the outbox at the last commit.
type Stats struct {
	Count     uint64 `json:"count"`       // records stored now
	Bytes     uint64 `json:"bytes"`       // bytes of stored values now
	OldestSeq uint64 `json:"oldest_seq"`  // sequence of the oldest stored record; 0 when empty
	NewestSeq uint64 `json:"newest_seq"`  // sequence of the newest stored record; 0 when empty
	Appended  uint64 `json:"appended"`    // records ever appended to this file
	Acked     uint64 `json:"acked"`       // records ever deleted by Ack
	Evicted   uint64 `json:"evicted"`     // records ever evicted by MaxBytes, MaxRecords or MaxFileBytes
	AckedUpTo uint64 `json:"acked_up_to"` // highest sequence ever acknowledged by the consumer
	FileBytes int64  `json:"file_bytes"`  // size of the bbolt file on disk
}

// Entry is one record returned by Read. Value is a copy owned by the caller.
type Entry struct {
	Seq   uint64
	Value []byte
}

// Open opens or creates the outbox file at path, creating its directory if
// needed, and starts the committer goroutine that Close stops. It fails
// with ErrInUse when another process holds the file, ErrCorrupt when the
// file is not a valid outbox, and ErrNotWritable when it cannot be written.
// Opening reads the whole file once: it checks every page's structure and
// recounts the records.
func Open(path string, opt Options) (*Outbox, error) {
	const op = "outbox.Open"
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", op, path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, classify(op, path, err)
	}
	// Check the pages before bbolt reads them: bbolt trusts them.
	if err := lockAndVerify(path, true, opt.LockTimeout); err != nil {
		return nil, classify(op, path, err)
	}
	db, file, err := openBolt(path, opt, false)
	if err != nil {
		return nil, classify(op, path, err)
	}
	// bbolt grows the file only where the reserve does not reach
	// (reserve.go), and then exactly, so that MaxSize is checked exactly.
	db.AllocSize = 0
	o := newOutbox(path, db, opt, false)
	o.file = file
	if err := o.init(); err != nil {
		_ = db.Close()
		return nil, classify(op, path, err)
	}
	o.reqs = make(chan *request, 2*opt.CommitBatch)
	o.done = make(chan struct{})
	go o.commitLoop()
	return o, nil
}

// OpenReadOnly opens an existing outbox file for Read and Stats only, as
// `fovea outbox` does. It takes a shared lock, so it fails with ErrInUse
// while the agent has the file open, and with ErrNotExist when there is no
// file.
func OpenReadOnly(path string, opt Options) (*Outbox, error) {
	const op = "outbox.OpenReadOnly"
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", op, path, err)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, classify(op, path, err)
	}
	if err := lockAndVerify(path, false, opt.LockTimeout); err != nil {
		return nil, classify(op, path, err)
	}
	db, _, err := openBolt(path, opt, true)
	if err != nil {
		return nil, classify(op, path, err)
	}
	o := newOutbox(path, db, opt, true)
	var snap snapshot
	err = boltView(db, func(tx *bolt.Tx) error {
		var err error
		snap, err = readSnapshot(tx)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, classify(op, path, err)
	}
	o.stats = snap
	return o, nil
}

// openBolt opens the bbolt file and returns bbolt's own *os.File with it.
func openBolt(path string, opt Options, readOnly bool) (db *bolt.DB, file *os.File, err error) {
	// file is closed here if bbolt panics while opening.
	defer func() {
		if err != nil && db == nil && file != nil {
			_ = file.Close() // releases the lock; bbolt did not
		}
	}()
	err = guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout:      opt.LockTimeout,
			FreelistType: bolt.FreelistMapType,
			// No freelist page is written: a commit, an ack above all,
			// needs no pages beyond the tree's own, and on a full disk
			// fewer pages is the difference. Open rebuilds the freelist
			// by walking the tree, as it reads every page anyway.
			NoFreelistSync: true,
			ReadOnly:       readOnly,
			MaxSize:        boltMaxSize(opt.MaxFileBytes),
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, perm)
				file = f
				return f, err
			},
		})
		return err
	})
	return db, file, err
}

// boltMaxSize is bbolt's own hard limit on the file, the last backstop:
// a quarter and 16 MiB above MaxFileBytes, so the outbox's eviction always
// acts first, and never past what a 32-bit board can map.
func boltMaxSize(maxFileBytes int64) int {
	if maxFileBytes <= 0 {
		return 0
	}
	limit := maxFileBytes + maxFileBytes/4 + 16<<20
	if limit > math.MaxInt32 && strconv.IntSize == 32 {
		return math.MaxInt32
	}
	return int(limit)
}

func newOutbox(path string, db *bolt.DB, opt Options, readOnly bool) *Outbox {
	return &Outbox{
		path:     path,
		db:       db,
		opt:      opt,
		log:      opt.Logger.With("outbox", path),
		readOnly: readOnly,
		maxSize:  boltMaxSize(opt.MaxFileBytes),
		notify:   make(chan struct{}, 1),
		evictLog: limiter{every: evictLogInterval},
		lostLog:  limiter{every: lostLogInterval},
	}
}

// init creates the buckets of a new file and checks an existing one: the
// state record must decode and must match the records actually stored.
func (o *Outbox) init() error {
	return boltUpdate(o.db, func(tx *bolt.Tx) error {
		if tx.Bucket(recordsBucket) == nil && !isEmpty(tx) {
			return errNotOutbox
		}
		rec, err := tx.CreateBucketIfNotExists(recordsBucket)
		if err != nil {
			return err
		}
		meta, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		st := state{}
		if v := meta.Get(stateKey); v != nil {
			if st, err = decodeState(v); err != nil {
				return err
			}
		} else if err := meta.Put(stateKey, st.encode()); err != nil {
			return err
		}
		var count, size uint64
		err = rec.ForEach(func(k, v []byte) error {
			if _, err := keySeq(k); err != nil {
				return err
			}
			count++
			size += uint64(len(v))
			return nil
		})
		if err != nil {
			return err
		}
		if count != st.Count || size != st.Bytes {
			return fmt.Errorf("%w: state record says %d records of %d bytes, file holds %d records of %d bytes",
				ErrCorrupt, st.Count, st.Bytes, count, size)
		}
		snap, err := readSnapshot(tx)
		if err != nil {
			return err
		}
		o.stats = snap
		o.initReserve(tx)
		return nil
	})
}

// readSnapshot reads the state and the oldest and newest keys in tx. A
// file without the outbox buckets (never opened for writing) reads empty.
func readSnapshot(tx *bolt.Tx) (snapshot, error) {
	snap := snapshot{txID: tx.ID()}
	meta := tx.Bucket(metaBucket)
	rec := tx.Bucket(recordsBucket)
	if meta == nil || rec == nil {
		if meta == nil && rec == nil && isEmpty(tx) {
			return snap, nil
		}
		return snap, errNotOutbox
	}
	if v := meta.Get(stateKey); v != nil {
		st, err := decodeState(v)
		if err != nil {
			return snap, err
		}
		snap.st = st
	}
	c := rec.Cursor()
	if k, _ := c.First(); k != nil {
		seq, err := keySeq(k)
		if err != nil {
			return snap, err
		}
		snap.oldestSeq = seq
	}
	if snap.oldestSeq == 0 {
		return snap, nil // empty
	}
	// Records are deleted only from the oldest end, so the newest record is
	// the last sequence handed out. Cursor.Last is not used: in bbolt 1.4.3
	// it loops forever on a bucket emptied earlier in the same transaction.
	snap.newestSeq = rec.Sequence()
	return snap, nil
}

// setStats records the snapshot of a committed transaction unless a later
// one was recorded already.
func (o *Outbox) setStats(snap snapshot) {
	o.statsMu.Lock()
	defer o.statsMu.Unlock()
	if snap.txID >= o.stats.txID {
		o.stats = snap
	}
}

// Stats returns the counters as of the last commit and the file's size now.
func (o *Outbox) Stats() Stats {
	o.statsMu.Lock()
	snap := o.stats
	o.statsMu.Unlock()
	s := Stats{
		Count:     snap.st.Count,
		Bytes:     snap.st.Bytes,
		OldestSeq: snap.oldestSeq,
		NewestSeq: snap.newestSeq,
		Appended:  snap.st.Appended,
		Acked:     snap.st.Acked,
		Evicted:   snap.st.Evicted,
		AckedUpTo: snap.st.AckedUpTo,
	}
	if fi, err := os.Stat(o.path); err == nil {
		s.FileBytes = fi.Size()
	}
	return s
}

// Path returns the outbox file's path.
func (o *Outbox) Path() string { return o.path }

// Notify returns a channel that receives a value after each commit that
// added records. It holds at most one pending signal, so a slow consumer
// sees one signal for many commits; it is meant for a single consumer.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

// Close commits every append still pending, stops the committer, waits for
// it and closes the file. Appends that arrive after Close has begun fail
// with ErrClosed. Close is idempotent.
func (o *Outbox) Close() error {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return nil
	}
	o.closed = true
	o.mu.Unlock()
	if o.reqs != nil {
		close(o.reqs)
		<-o.done
	}
	if err := o.db.Close(); err != nil {
		return fmt.Errorf("outbox.Close: %s: %w", o.path, err)
	}
	return nil
}

// isClosed reports whether Close has begun.
func (o *Outbox) isClosed() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.closed
}

// errClosed wraps ErrClosed with the operation.
func (o *Outbox) errClosed(op string) error {
	return fmt.Errorf("%s: %s: %w", op, o.path, ErrClosed)
}

// errNotOutbox is returned for a valid bbolt file that another program
// wrote.
var errNotOutbox = fmt.Errorf("%w: the file is a bbolt database but not a fovea outbox", ErrCorrupt)

// isEmpty reports whether the file has no buckets at all.
func isEmpty(tx *bolt.Tx) bool {
	k, _ := tx.Cursor().First()
	return k == nil
}
