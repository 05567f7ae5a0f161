package outbox

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// patchPage makes an outbox with enough records for a branch page at the
// root of the records bucket, then lets patch rewrite that page.
func patchPage(t *testing.T, path string, patch func(page []byte, root uint64)) {
	t.Helper()
	o, err := Open(path, Options{CommitInterval: time.Millisecond, CommitBatch: 500})
	if err != nil {
		t.Fatal(err)
	}
	appendMany(t, o, 100, 2000, func(int) int { return 100 })
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var root uint64
	var pageSize int
	err = db.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket(recordsBucket).Root())
		info, err := tx.Page(int(root))
		if err != nil || info == nil || info.Type != "branch" {
			t.Fatalf("records root page %d is %+v, %v; want a branch page", root, info, err)
		}
		pageSize = db.Info().PageSize
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, pageSize)
	if _, err := f.ReadAt(page, int64(root)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	patch(page, root)
	if _, err := f.WriteAt(page, int64(root)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
}

func TestOpenDamagedTree(t *testing.T) {
	tests := []struct {
		name  string
		patch func(page []byte, root uint64)
		want  string
	}{
		{"branch points at itself", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint64(p[pageHeaderSize+8:], root)
		}, "referenced twice"},
		{"branch points past the end", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint64(p[pageHeaderSize+8:], 1<<40)
		}, "outside"},
		{"element count too large", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint16(p[10:], 0xFFF0)
		}, "do not fit"},
		{"key past the page", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint32(p[pageHeaderSize:], 1<<30)
		}, "runs past the page"},
		{"empty branch page", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint16(p[10:], 0)
		}, "no elements"},
		{"wrong page type", func(p []byte, root uint64) {
			binary.NativeEndian.PutUint16(p[8:], 0x40)
		}, "flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outbox.db")
			patchPage(t, path, tt.patch)
			for _, open := range []func(string, Options) (*Outbox, error){Open, OpenReadOnly} {
				o, err := open(path, Options{})
				if err == nil {
					o.Close()
					t.Fatalf("opening a file where the %s succeeded; want ErrCorrupt", tt.name)
				}
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "move it aside") {
					t.Errorf("open = %v; want ErrCorrupt mentioning %q", err, tt.want)
				}
			}
		})
	}
}

// TestVerifyHealthyFiles checks verifyFile accepts the files bbolt writes,
// including ones with deep trees, nested state and a synced freelist.
func TestVerifyHealthyFiles(t *testing.T) {
	tests := []struct {
		name string
		n    int
		size int
		ack  uint64
	}{
		{"empty", 0, 0, 0},
		{"few", 10, 50, 0},
		{"many acked", 5000, 200, 4000},
		{"overflow values", 300, 9000, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "outbox.db")
			o, err := Open(path, Options{CommitInterval: time.Millisecond, CommitBatch: 500})
			if err != nil {
				t.Fatal(err)
			}
			appendMany(t, o, 100, tt.n, func(int) int { return tt.size })
			if tt.ack > 0 {
				if err := o.Ack(tt.ack); err != nil {
					t.Fatal(err)
				}
			}
			if err := verifyPath(path); err != nil {
				t.Errorf("verifyPath on an open outbox = %v", err)
			}
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			if err := verifyPath(path); err != nil {
				t.Errorf("verifyPath = %v", err)
			}
		})
	}
}
