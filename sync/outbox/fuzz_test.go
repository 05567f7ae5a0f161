package outbox

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzDecodeState(f *testing.F) {
	f.Add(state{}.encode())
	f.Add(state{Count: 3, Bytes: 90, Appended: 10, Acked: 5, Evicted: 2, AckedUpTo: 7}.encode())
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeState(%x) = %v; want ErrCorrupt", b, err)
			}
			return
		}
		if s.Count+s.Acked+s.Evicted != s.Appended {
			t.Fatalf("decodeState(%x) accepted %+v, which does not add up", b, s)
		}
		// Whatever decodes must encode back to the same bytes.
		if got := s.encode(); string(got) != string(b) {
			t.Fatalf("decodeState(%x) = %+v, which encodes as %x", b, s, got)
		}
	})
}

// FuzzOpenFile opens damaged outbox files: Open must return an error or a
// working outbox, never panic or crash the process.
func FuzzOpenFile(f *testing.F) {
	seedPath := filepath.Join(f.TempDir(), "seed.db")
	o, err := Open(seedPath, Options{CommitInterval: time.Millisecond, CommitBatch: 64})
	if err != nil {
		f.Fatal(err)
	}
	appendMany(f, o, 8, 40, func(i int) int { return 10 + i*7%100 })
	if err := o.Ack(10); err != nil {
		f.Fatal(err)
	}
	if err := o.Close(); err != nil {
		f.Fatal(err)
	}
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(seed[:4096])
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "outbox.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		o, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
		if err != nil {
			return
		}
		defer o.Close()
		all, err := o.Read(0, 1000, 0)
		if err != nil {
			return
		}
		if s := o.Stats(); uint64(len(all)) != s.Count {
			t.Errorf("Read returned %d records; Stats().Count = %d", len(all), s.Count)
		}
	})
}
