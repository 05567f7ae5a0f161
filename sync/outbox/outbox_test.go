package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestReadAckCursor(t *testing.T) {
	o := openTest(t, Options{})
	for i := 1; i <= 10; i++ {
		if seq := mustAppend(t, o, fmt.Sprintf("r%02d", i)); seq != uint64(i) {
			t.Fatalf("Append #%d returned seq %d; want %d", i, seq, i)
		}
	}
	tests := []struct {
		name       string
		after      uint64
		maxRecords int
		maxBytes   int
		want       []uint64
	}{
		{"from start", 0, 3, 0, []uint64{1, 2, 3}},
		{"after cursor", 4, 3, 0, []uint64{5, 6, 7}},
		{"tail shorter than max", 8, 5, 0, []uint64{9, 10}},
		{"past the end", 10, 5, 0, nil},
		{"far past the end", 1 << 62, 5, 0, nil},
		{"max uint64", ^uint64(0), 5, 0, nil},
		{"byte limit", 0, 10, 9, []uint64{1, 2, 3}},
		{"byte limit below one record", 0, 10, 1, []uint64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := o.Read(tt.after, tt.maxRecords, tt.maxBytes)
			if err != nil {
				t.Fatalf("Read(%d, %d, %d) = %v", tt.after, tt.maxRecords, tt.maxBytes, err)
			}
			var seqs []uint64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
				if want := fmt.Sprintf("r%02d", e.Seq); string(e.Value) != want {
					t.Errorf("Read: seq %d has value %q; want %q", e.Seq, e.Value, want)
				}
			}
			if !slices.Equal(seqs, tt.want) {
				t.Errorf("Read(%d, %d, %d) seqs = %v; want %v", tt.after, tt.maxRecords, tt.maxBytes, seqs, tt.want)
			}
		})
	}

	acks := []struct {
		upTo      uint64
		wantCount uint64
		wantFirst uint64
	}{
		{3, 7, 4},
		{2, 7, 4}, // below an earlier ack: nothing changes
		{3, 7, 4},
		{7, 3, 8},
		{10, 0, 0},
	}
	for _, a := range acks {
		if err := o.Ack(a.upTo); err != nil {
			t.Fatalf("Ack(%d) = %v", a.upTo, err)
		}
		s := o.Stats()
		if s.Count != a.wantCount || s.OldestSeq != a.wantFirst {
			t.Errorf("after Ack(%d): Count=%d OldestSeq=%d; want %d, %d", a.upTo, s.Count, s.OldestSeq, a.wantCount, a.wantFirst)
		}
		got, err := o.Read(0, 100, 0)
		if err != nil {
			t.Fatalf("Read(0, 100, 0) = %v", err)
		}
		if len(got) != int(a.wantCount) || (len(got) > 0 && got[0].Seq != a.wantFirst) {
			t.Errorf("after Ack(%d): Read returned %d records starting %v; want %d starting %d", a.upTo, len(got), got, a.wantCount, a.wantFirst)
		}
	}
	if err := o.Ack(11); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Ack(11) beyond the last sequence = %v; want ErrInvalidArgument", err)
	}
	if _, err := o.Read(0, 0, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Read(0, 0, 0) = %v; want ErrInvalidArgument", err)
	}
	s := o.Stats()
	want := Stats{Count: 0, Bytes: 0, Appended: 10, Acked: 10, Evicted: 0, AckedUpTo: 10, FileBytes: s.FileBytes}
	if s != want {
		t.Errorf("Stats() = %+v; want %+v", s, want)
	}
	if s.FileBytes <= 0 {
		t.Errorf("Stats().FileBytes = %d; want the file's size", s.FileBytes)
	}
}

func TestReadValueIsCopy(t *testing.T) {
	o := openTest(t, Options{})
	in := []byte("camera-1")
	mustAppend(t, o, string(in))
	got, err := o.Read(0, 1, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("Read(0, 1, 0) = %v, %v", got, err)
	}
	got[0].Value[0] = 'X'
	again, err := o.Read(0, 1, 0)
	if err != nil || string(again[0].Value) != "camera-1" {
		t.Errorf("after modifying a returned value, Read = %q, %v; want %q", again[0].Value, err, "camera-1")
	}
}

func TestConcurrentAppend(t *testing.T) {
	const writers, each = 8, 150
	o := openTest(t, Options{CommitInterval: 2 * time.Millisecond, CommitBatch: 32})
	var wg sync.WaitGroup
	seqs := make([][]uint64, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				seq, err := o.Append(context.Background(), fmt.Appendf(nil, "w%d-%d", w, i))
				if err != nil {
					t.Errorf("Append = %v", err)
					return
				}
				seqs[w] = append(seqs[w], seq)
			}
		})
	}
	// A reader runs alongside, as the syncer does.
	ctx, cancel := context.WithCancel(context.Background())
	var rg sync.WaitGroup
	rg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-o.Notify():
			}
			if _, err := o.Read(0, 50, 0); err != nil {
				t.Errorf("concurrent Read = %v", err)
				return
			}
		}
	})
	wg.Wait()
	cancel()
	rg.Wait()

	bySeq := map[uint64]string{}
	for w, ss := range seqs {
		if !slices.IsSorted(ss) {
			t.Errorf("writer %d got sequences out of order: %v", w, ss)
		}
		for i, s := range ss {
			if prev, dup := bySeq[s]; dup {
				t.Fatalf("seq %d returned twice (%s and w%d-%d)", s, prev, w, i)
			}
			bySeq[s] = fmt.Sprintf("w%d-%d", w, i)
		}
	}
	all := readAll(t, o)
	if len(all) != writers*each {
		t.Fatalf("stored %d records; want %d", len(all), writers*each)
	}
	for _, e := range all {
		if bySeq[e.Seq] != string(e.Value) {
			t.Errorf("seq %d holds %q; Append returned it for %q", e.Seq, e.Value, bySeq[e.Seq])
		}
	}
	if s := o.Stats(); s.Count != writers*each || s.Appended != writers*each || s.NewestSeq != writers*each || s.OldestSeq != 1 {
		t.Errorf("Stats() = %+v; want %d records, seqs 1..%d", s, writers*each, writers*each)
	}
}

func TestGroupCommitBatches(t *testing.T) {
	tests := []struct {
		name    string
		opt     Options
		appends int
		maxTxs  int
		minTxs  int
	}{
		{"interval gathers all", Options{CommitInterval: 500 * time.Millisecond, CommitBatch: 1000}, 64, 2, 1},
		{"batch size splits", Options{CommitInterval: 10 * time.Second, CommitBatch: 16}, 64, 4, 4},
		{"fsync per record", Options{Mode: SyncEachRecord}, 64, 64, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := openTest(t, tt.opt)
			start := o.stats.txID
			var wg sync.WaitGroup
			for i := range tt.appends {
				wg.Go(func() { mustAppend(t, o, fmt.Sprint(i)) })
			}
			wg.Wait()
			txs := o.stats.txID - start
			if txs < tt.minTxs || txs > tt.maxTxs {
				t.Errorf("%d concurrent appends took %d transactions; want %d..%d", tt.appends, txs, tt.minTxs, tt.maxTxs)
			}
		})
	}
}

func TestCloseFlushesPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	o, err := Open(path, Options{CommitInterval: time.Hour, CommitBatch: 1000})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := o.Append(context.Background(), fmt.Appendf(nil, "pending-%d", i))
			errs <- err
		})
	}
	// Wait until all appends are queued, then close: Close must commit them
	// rather than wait an hour or drop them.
	for o.pending.Load() < n {
		time.Sleep(time.Millisecond)
	}
	if err := o.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Append during Close = %v; want nil (flushed)", err)
		}
	}
	if _, err := o.Append(context.Background(), []byte("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v; want ErrClosed", err)
	}
	if _, err := o.Read(0, 1, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close = %v; want ErrClosed", err)
	}
	if err := o.Close(); err != nil {
		t.Errorf("second Close = %v; want nil", err)
	}
	o2 := openAt(t, path, Options{})
	if s := o2.Stats(); s.Count != n {
		t.Errorf("after reopen Count = %d; want %d", s.Count, n)
	}
}

func TestAppendContextCanceled(t *testing.T) {
	o := openTest(t, Options{CommitInterval: time.Hour, CommitBatch: 1000})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := o.Append(ctx, []byte("x"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Append with an expiring context = %v; want DeadlineExceeded", err)
	}
}

func TestRestartPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "outbox.db")
	o, err := Open(path, Options{CommitInterval: time.Millisecond, MaxRecords: 8})
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	for i := 1; i <= 12; i++ { // 4 evicted
		mustAppend(t, o, fmt.Sprintf("v%d", i))
	}
	if err := o.Ack(6); err != nil {
		t.Fatalf("Ack(6) = %v", err)
	}
	before := o.Stats()
	if err := o.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}

	o = openAt(t, path, Options{MaxRecords: 8})
	after := o.Stats()
	after.FileBytes, before.FileBytes = 0, 0
	want := Stats{Count: 6, Bytes: 15, OldestSeq: 7, NewestSeq: 12, Appended: 12, Acked: 2, Evicted: 4, AckedUpTo: 6}
	if after != want || before != want {
		t.Errorf("Stats before close %+v, after reopen %+v; want %+v", before, after, want)
	}
	if seq := mustAppend(t, o, "v13"); seq != 13 {
		t.Errorf("first Append after reopen = seq %d; want 13 (sequences never restart)", seq)
	}
	var got []string
	for _, e := range readAll(t, o) {
		got = append(got, fmt.Sprintf("%d=%s", e.Seq, e.Value))
	}
	if want := "7=v7 8=v8 9=v9 10=v10 11=v11 12=v12 13=v13"; strings.Join(got, " ") != want {
		t.Errorf("records after reopen = %v; want %s", got, want)
	}
}

func TestNotify(t *testing.T) {
	o := openTest(t, Options{})
	select {
	case <-o.Notify():
		t.Fatal("Notify signalled before any append")
	default:
	}
	mustAppend(t, o, "a")
	select {
	case <-o.Notify():
	case <-time.After(5 * time.Second):
		t.Fatal("Notify not signalled after a committed append")
	}
}

func TestAppendLimits(t *testing.T) {
	o := openTest(t, Options{MaxValueBytes: 10})
	tests := []struct {
		name    string
		value   []byte
		wantErr error
	}{
		{"empty", []byte{}, nil},
		{"nil", nil, nil},
		{"at limit", make([]byte, 10), nil},
		{"over limit", make([]byte, 11), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.Append(context.Background(), tt.value)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Append(%d bytes) = %v; want %v", len(tt.value), err, tt.wantErr)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		want []string // substrings of the error; nil means valid
	}{
		{"zero is defaults", Options{}, nil},
		{"per record", Options{Mode: SyncEachRecord}, nil},
		{"unknown mode", Options{Mode: 7}, []string{"Mode 7"}},
		{"negatives reported together", Options{CommitInterval: -1, MaxBytes: -5, LockTimeout: -time.Second},
			[]string{"CommitInterval", "MaxBytes -5", "LockTimeout"}},
		{"file cap below value cap", Options{MaxBytes: 1 << 20, MaxFileBytes: 1 << 10}, []string{"MaxFileBytes 1024 is below MaxBytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opt.withDefaults().validate()
			if tt.want == nil {
				if err != nil {
					t.Errorf("validate(%+v) = %v; want nil", tt.opt, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("validate(%+v) = %v; want ErrInvalidArgument", tt.opt, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("validate(%+v) = %q; want it to mention %q", tt.opt, err, w)
				}
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "o.db"), Options{MaxRecords: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Open with MaxRecords -1 = %v; want ErrInvalidArgument", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "outbox.db")
	if _, err := OpenReadOnly(path, Options{}); !errors.Is(err, ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("OpenReadOnly(missing) = %v; want ErrNotExist naming %s", err, path)
	}
	o, err := Open(path, Options{CommitInterval: time.Millisecond})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	mustAppend(t, o, `{"a":1}`)
	mustAppend(t, o, `{"a":2}`)
	if _, err := OpenReadOnly(path, Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, ErrInUse) {
		t.Errorf("OpenReadOnly while the writer has it = %v; want ErrInUse", err)
	}
	if err := o.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}

	ro, err := OpenReadOnly(path, Options{})
	if err != nil {
		t.Fatalf("OpenReadOnly = %v", err)
	}
	defer ro.Close()
	if s := ro.Stats(); s.Count != 2 || s.NewestSeq != 2 {
		t.Errorf("read-only Stats() = %+v; want 2 records", s)
	}
	if got := readAll(t, ro); len(got) != 2 || string(got[1].Value) != `{"a":2}` {
		t.Errorf("read-only Read = %v; want both records", got)
	}
	if _, err := ro.Append(context.Background(), []byte("x")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Append on read-only = %v; want ErrReadOnly", err)
	}
	if err := ro.Ack(1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Ack on read-only = %v; want ErrReadOnly", err)
	}
	// A second read-only handle shares the lock.
	ro2, err := OpenReadOnly(path, Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Errorf("second OpenReadOnly = %v; want shared access", err)
	} else {
		ro2.Close()
	}
}

func TestOpenLockedByAnotherHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	openAt(t, path, Options{})
	start := time.Now()
	_, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open = %v; want ErrInUse", err)
	}
	for _, w := range []string{"outbox is in use by another process", path} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("second Open error %q does not mention %q", err, w)
		}
	}
	if waited := time.Since(start); waited > 30*time.Second {
		t.Errorf("second Open waited %v; LockTimeout is 100ms", waited)
	}
}

func TestOpenNotWritable(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"read-only directory", func(t *testing.T) string { return filepath.Join(readOnlyDir(t), "outbox.db") }},
		{"parent is a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(f, "sub", "outbox.db")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			o, err := Open(path, Options{})
			if err == nil {
				o.Close()
				t.Fatalf("Open(%q) succeeded; want ErrNotWritable", path)
			}
			if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "writable") {
				t.Errorf("Open(%q) = %v; want ErrNotWritable naming the path and the fix", path, err)
			}
		})
	}
}

// readOnlyDir returns a directory nobody can create files in. Root ignores
// permission bits, so as root it sets the immutable attribute instead.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := runCmd("chattr", "+i", dir); err != nil {
			t.Skipf("running as root and chattr +i failed (%v: %s); cannot make a read-only directory", err, out)
		}
		t.Cleanup(func() { runCmd("chattr", "-i", dir) })
	}
	return dir
}
