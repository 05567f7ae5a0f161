package outbox

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openTest opens an outbox in a fresh temporary directory with a short
// commit interval, and on cleanup closes it and checks the file.
func openTest(t testing.TB, opt Options) *Outbox {
	t.Helper()
	path := filepath.Join(t.TempDir(), "outbox.db")
	return openAt(t, path, opt)
}

// openAt opens the outbox at path and closes and checks it on cleanup.
func openAt(t testing.TB, path string, opt Options) *Outbox {
	t.Helper()
	if opt.CommitInterval == 0 {
		opt.CommitInterval = 5 * time.Millisecond
	}
	o, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := o.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
		checkFile(t, path)
	})
	return o
}

// checkFile runs bbolt's consistency check on a closed outbox file and
// checks that the state record matches the records stored.
func checkFile(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Errorf("checkFile: bolt.Open(%q) = %v", path, err)
		return
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		st, err := decodeState(tx.Bucket(metaBucket).Get(stateKey))
		if err != nil {
			return err
		}
		var n, size uint64
		_ = tx.Bucket(recordsBucket).ForEach(func(k, v []byte) error {
			n++
			size += uint64(len(v))
			return nil
		})
		if n != st.Count || size != st.Bytes {
			return fmt.Errorf("state says %d records of %d bytes; file holds %d of %d", st.Count, st.Bytes, n, size)
		}
		return nil
	})
	if err != nil {
		t.Errorf("checkFile(%q): %v", path, err)
	}
}

// mustAppend appends value and fails the test on error.
func mustAppend(t testing.TB, o *Outbox, value string) uint64 {
	t.Helper()
	seq, err := o.Append(context.Background(), []byte(value))
	if err != nil {
		t.Fatalf("Append(%q) = %v", value, err)
	}
	return seq
}

// readAll returns every stored record, in pages of 7 to exercise the
// cursor.
func readAll(t testing.TB, o *Outbox) []Entry {
	t.Helper()
	var all []Entry
	after := uint64(0)
	for {
		page, err := o.Read(after, 7, 0)
		if err != nil {
			t.Fatalf("Read(%d, 7, 0) = %v", after, err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Seq
	}
}
