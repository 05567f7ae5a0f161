package outbox

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func runCmd(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}

func TestOpenCorrupt(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"random bytes", func(t *testing.T, path string) {
			b := make([]byte, 16<<10)
			for i := range b {
				b[i] = byte(i*7 + 3)
			}
			writeFile(t, path, b)
		}},
		{"truncated header", func(t *testing.T, path string) { writeFile(t, path, []byte("not bolt")) }},
		{"other bbolt database", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Update(func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("someone-else"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"bad state record", func(t *testing.T, path string) { rewriteState(t, path, []byte{9, 9, 9}) }},
		{"state disagrees with records", func(t *testing.T, path string) {
			rewriteState(t, path, state{Count: 5, Bytes: 5, Appended: 5}.encode())
		}},
		{"meta pages zeroed", func(t *testing.T, path string) {
			makeOutbox(t, path, 50)
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(make([]byte, 2*os.Getpagesize()), 0); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outbox.db")
			tt.setup(t, path)
			for _, open := range []func(string, Options) (*Outbox, error){Open, OpenReadOnly} {
				o, err := open(path, Options{LockTimeout: 100 * time.Millisecond})
				if err == nil {
					o.Close()
					if tt.name == "state disagrees with records" {
						continue // read-only opens do not scan the records
					}
					t.Fatalf("opening %s succeeded; want ErrCorrupt", tt.name)
				}
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "move it aside") {
					t.Errorf("open = %v; want ErrCorrupt naming %s and what to do", err, path)
				}
			}
		})
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// makeOutbox creates an outbox at path holding n records.
func makeOutbox(t *testing.T, path string, n int) {
	t.Helper()
	o, err := Open(path, Options{CommitInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		mustAppend(t, o, "0123456789abcdef0123456789abcdef")
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

// rewriteState creates an outbox and overwrites its state record.
func rewriteState(t *testing.T, path string, v []byte) {
	t.Helper()
	makeOutbox(t, path, 3)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(stateKey, v) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestClassify(t *testing.T) {
	const path = "/var/lib/fovea/outbox.db"
	tests := []struct {
		name string
		err  error
		want error
		msg  string
	}{
		{"disk full from write", &os.PathError{Op: "write", Path: path, Err: errNo("ENOSPC")}, ErrDiskFull, "free space"},
		{"disk full from bbolt resize", errors.New("file resize error: no space left on device"), ErrDiskFull, "free space"},
		{"read-only fs", &os.PathError{Op: "open", Path: path, Err: errNo("EROFS")}, ErrNotWritable, "writable"},
		{"permission", &os.PathError{Op: "open", Path: path, Err: errNo("EACCES")}, ErrNotWritable, "writable"},
		{"missing", &os.PathError{Op: "open", Path: path, Err: errNo("ENOENT")}, ErrNotExist, "--data"},
		{"timeout", errTimeout(), ErrInUse, "agent running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify("outbox.Test", path, tt.err)
			if !errors.Is(got, tt.want) || !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) = %v; want it to wrap %v and the cause", tt.err, got, tt.want)
			}
			if !strings.Contains(got.Error(), path) || !strings.Contains(got.Error(), tt.msg) || !strings.HasPrefix(got.Error(), "outbox.Test: ") {
				t.Errorf("classify(%v) = %q; want the op, %s and %q", tt.err, got, path, tt.msg)
			}
		})
	}
}
