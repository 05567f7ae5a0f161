package outbox

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// syncBuffer is a bytes.Buffer safe for the committer and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// appendMany appends n values from w goroutines; value i has size sizeOf(i).
// It returns the size of the value stored under each sequence.
func appendMany(t testing.TB, o *Outbox, w, n int, sizeOf func(i int) int) map[uint64]int {
	t.Helper()
	var mu sync.Mutex
	sizes := make(map[uint64]int, n)
	var wg sync.WaitGroup
	for g := range w {
		wg.Go(func() {
			for i := g; i < n; i += w {
				v := bytes.Repeat([]byte{'a' + byte(i%26)}, sizeOf(i))
				seq, err := o.Append(context.Background(), v)
				if err != nil {
					t.Errorf("Append = %v", err)
					return
				}
				mu.Lock()
				sizes[seq] = len(v)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return sizes
}

func TestEvictionExact(t *testing.T) {
	tests := []struct {
		name       string
		maxBytes   int64
		maxRecords int64
		n          int
		sizeOf     func(i int) int
	}{
		{"by bytes", 16 << 10, 1 << 20, 2000, func(i int) int { return 20 + i*37%300 }},
		{"by records", 1 << 30, 100, 2000, func(i int) int { return 50 }},
		{"both caps", 8 << 10, 60, 2000, func(i int) int { return 10 + i*13%200 }},
		{"one record fills the cap", 1000, 1 << 20, 300, func(i int) int { return 1000 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			o := openTest(t, Options{
				MaxBytes: tt.maxBytes, MaxRecords: tt.maxRecords, CommitBatch: 64,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			sizes := appendMany(t, o, 32, tt.n, tt.sizeOf)
			s := o.Stats()
			all := readAll(t, o)
			if uint64(len(all)) != s.Count {
				t.Fatalf("Read returned %d records; Stats().Count = %d", len(all), s.Count)
			}
			// What is left is exactly the newest records, contiguous.
			first := uint64(tt.n) - s.Count + 1
			var total uint64
			for i, e := range all {
				if e.Seq != first+uint64(i) {
					t.Fatalf("record %d has seq %d; want %d (only the oldest may be evicted)", i, e.Seq, first+uint64(i))
				}
				if len(e.Value) != sizes[e.Seq] {
					t.Fatalf("seq %d has %d bytes; appended %d", e.Seq, len(e.Value), sizes[e.Seq])
				}
				total += uint64(len(e.Value))
			}
			if want := uint64(tt.n) - s.Count; s.Evicted != want {
				t.Errorf("Stats().Evicted = %d; want %d (appended %d, stored %d)", s.Evicted, want, tt.n, s.Count)
			}
			if total != s.Bytes || s.Bytes > uint64(tt.maxBytes) || s.Count > uint64(tt.maxRecords) {
				t.Errorf("stored %d records of %d bytes (Stats says %d); caps are %d records, %d bytes", s.Count, total, s.Bytes, tt.maxRecords, tt.maxBytes)
			}
			// Not one record more than needed was evicted.
			if s.Evicted > 0 && s.Count < uint64(tt.maxRecords) && s.Bytes+uint64(sizes[first-1]) <= uint64(tt.maxBytes) {
				t.Errorf("seq %d (%d bytes) was evicted but fits: %d + %d <= %d", first-1, sizes[first-1], s.Bytes, sizes[first-1], tt.maxBytes)
			}
			if s.Evicted > 0 && !strings.Contains(logs.String(), "level=WARN msg=\"outbox full") {
				t.Errorf("no eviction warning logged; log:\n%s", logs.String())
			}
			if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
				t.Errorf("logged %d eviction warnings; want 1 (rate-limited)", n)
			}
		})
	}
}

// TestFileSizePlateaus appends far more than the cap and checks that the
// file stops growing: pages freed by eviction are reused.
func TestFileSizePlateaus(t *testing.T) {
	tests := []struct {
		name         string
		maxBytes     int64
		maxFileBytes int64
		valueSize    int
	}{
		{"small values", 256 << 10, 0, 200},
		{"values over a page", 256 << 10, 0, 5000},
		{"backstop engaged", 256 << 10, 300 << 10, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := openTest(t, Options{MaxBytes: tt.maxBytes, MaxFileBytes: tt.maxFileBytes, CommitBatch: 64})
			perRound := int(4 * tt.maxBytes / int64(tt.valueSize)) // 4× the cap per round
			var sizes []int64
			var used int64
			appended := 0
			for range 6 {
				appendMany(t, o, 64, perRound, func(int) int { return tt.valueSize })
				appended += perRound
				sizes = append(sizes, o.Stats().FileBytes)
				used = max(used, highWater(t, o))
			}
			s := o.Stats()
			t.Logf("file size after each round of %d KiB: %v; pages used at most %d KiB; values %d KiB",
				perRound*tt.valueSize>>10, sizes, used>>10, s.Bytes>>10)
			if tt.maxFileBytes > 0 && used > tt.maxFileBytes+64<<10 {
				t.Errorf("pages in use reached %d bytes; want at most MaxFileBytes %d + one batch", used, tt.maxFileBytes)
			}
			if s.Appended != uint64(appended) || s.Count+s.Evicted != s.Appended {
				t.Errorf("Stats() = %+v; want %d appended = stored + evicted", s, appended)
			}
			limit := tt.maxFileBytes
			if limit == 0 {
				limit = 2*tt.maxBytes + defaultFileSlack
			}
			limit += allocSize // the file grows in allocSize steps past the backstop
			if last := sizes[len(sizes)-1]; last > limit {
				t.Errorf("file is %d bytes after %d rounds; want at most %d", last, len(sizes), limit)
			}
			if sizes[len(sizes)-1] != sizes[2] {
				t.Errorf("file grew from %d to %d bytes between rounds 3 and 6; want a plateau", sizes[2], sizes[len(sizes)-1])
			}
		})
	}
}

// highWater returns the bytes of the file bbolt has used pages in.
func highWater(t *testing.T, o *Outbox) int64 {
	t.Helper()
	var n int64
	if err := o.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatalf("View = %v", err)
	}
	return n
}
