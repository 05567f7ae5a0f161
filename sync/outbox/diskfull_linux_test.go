package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// mountTiny mounts a tmpfs of size bytes on a fresh temporary directory
// and unmounts it when the test ends. It skips the test unless it runs as
// root (mounting needs CAP_SYS_ADMIN).
func mountTiny(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tiny tmpfs as the data directory (CI runs as root): skipped")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size)); err != nil {
		t.Skipf("cannot mount a tmpfs on %s (%v): skipped; run as root with CAP_SYS_ADMIN", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillDisk appends to name until the file system refuses to store more,
// so that the next write that needs a new block fails with ENOSPC.
func fillDisk(t *testing.T, name string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("open filler: %v", err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("write filler: %v", err)
				}
				break
			}
		}
	}
}

// freeBytes returns the bytes still free on the file system holding dir.
func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatalf("statfs %s: %v", dir, err)
	}
	return int64(st.Bavail) * st.Bsize
}

// diskFullValue is the deterministic value of the i-th append: its index,
// padded to 40 to 640 bytes, and one in 20 spanning pages.
func diskFullValue(i int) []byte {
	size := 40 + i*7919%600
	if i%20 == 0 {
		size = 4096 + i*104729%9000
	}
	head := fmt.Sprintf("rec-%09d-", i)
	return []byte(head + strings.Repeat(string(rune('a'+i%26)), max(0, size-len(head))))
}

// TestDiskFullRestartLoop fills a tiny file system with the outbox and a
// filler file, then restarts the outbox on the full disk again and again:
// every restart must open, read back every acknowledged record unchanged,
// ack and drain them all, and fill the disk again. It reproduces the wedge
// where a restarted agent could not Ack (ENOSPC while writing the ack), so
// nothing drained and no space was ever freed.
func TestDiskFullRestartLoop(t *testing.T) {
	iterations := 60
	if testing.Short() {
		iterations = 12
	}
	dir := mountTiny(t, 6<<20)
	path := filepath.Join(dir, "outbox.db")
	var logs syncBuffer
	opt := Options{
		CommitInterval: time.Millisecond,
		CommitBatch:    16,
		MaxBytes:       1 << 30, // the disk fills long before any cap
		ReserveBytes:   256 << 10,
		Logger:         slog.New(slog.NewTextHandler(&logs, nil)),
	}
	rng := rand.New(rand.NewPCG(8, 8))
	var mu sync.Mutex
	want := map[uint64]int{} // acknowledged and not yet acked: seq -> value index; guarded by mu
	var next atomic.Int64    // index of the next value
	var fullAppends, acked int

	// fill appends from 16 goroutines until the outbox reports a full
	// disk, then fills what is left with the filler file.
	fill := func(o *Outbox) {
		t.Helper()
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for {
					i := int(next.Add(1))
					seq, err := o.Append(context.Background(), diskFullValue(i))
					mu.Lock()
					if err == nil {
						want[seq] = i
					} else {
						fullAppends++
					}
					mu.Unlock()
					if errors.Is(err, ErrDiskFull) {
						return
					}
					if err != nil {
						t.Errorf("Append = %v; want nil or ErrDiskFull", err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		fillDisk(t, filepath.Join(dir, "filler"))
	}

	var o *Outbox // the open outbox, closed before the unmount
	t.Cleanup(func() {
		if o != nil {
			_ = o.Close()
		}
	})
	o, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	fill(o)
	if err := o.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	for it := range iterations {
		if free := freeBytes(t, dir); free > 64<<10 {
			t.Fatalf("iteration %d: %d bytes free; the disk should be full", it, free)
		}
		o, err = Open(path, opt)
		if err != nil {
			t.Fatalf("iteration %d: Open on a full disk = %v", it, err)
		}
		all := readAll(t, o)
		if len(all) != len(want) {
			t.Fatalf("iteration %d: read %d records; %d acknowledged appends are not acked yet", it, len(all), len(want))
		}
		for _, e := range all {
			i, ok := want[e.Seq]
			if !ok {
				t.Fatalf("iteration %d: seq %d was never acknowledged", it, e.Seq)
			}
			if string(e.Value) != string(diskFullValue(i)) {
				t.Fatalf("iteration %d: seq %d holds %.20q…; want record %d", it, e.Seq, e.Value, i)
			}
		}
		// Drain in a few acks of random length, as the syncer does.
		for len(all) > 0 {
			n := 1 + rng.IntN(len(all))
			if err := o.Ack(all[n-1].Seq); err != nil {
				t.Fatalf("iteration %d: Ack(%d) on a full disk = %v (stats %+v)", it, all[n-1].Seq, err, o.Stats())
			}
			for _, e := range all[:n] {
				delete(want, e.Seq)
			}
			acked += n
			all = all[n:]
		}
		if s := o.Stats(); s.Count != 0 {
			t.Fatalf("iteration %d: %d records left after draining", it, s.Count)
		}
		fill(o)
		if err := o.Close(); err != nil {
			t.Fatalf("iteration %d: Close = %v", it, err)
		}
	}
	t.Logf("%d restarts on a full %d MiB disk: %d records acked, %d appends refused for a full disk, %d still stored",
		iterations, 6, acked, fullAppends, len(want))
	if n := strings.Count(logs.String(), "level=ERROR"); n == 0 || n > iterations+1 {
		t.Errorf("%d ERROR lines for %d full-disk episodes; want one per episode at most, rate-limited", n, iterations+1)
	}
	if !strings.Contains(logs.String(), `msg="outbox commit failed: results lost" outbox=`+path+" lost=") {
		t.Errorf("no error line with the count of lost results; log:\n%.2000s", logs.String())
	}
}
