package outbox

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// benchRecord is the size of a typical JSON result record.
var benchRecord = bytes.Repeat([]byte("x"), 500)

// benchAppenders is the number of goroutines appending at once.
const benchAppenders = 64

// BenchmarkAppend measures appends of 500-byte records from 64 concurrent
// goroutines: one fsync per record (the baseline), group commit with the
// defaults (a commit every 100 ms, so at most 64 records per 100 ms here),
// and group commit with CommitBatch equal to the number of appenders, which
// commits as soon as every appender is waiting. It reports results/s,
// commits per result and the bytes the process wrote to the disk per
// result (from /proc/self/io write_bytes).
func BenchmarkAppend(b *testing.B) {
	cases := []struct {
		name string
		opt  Options
	}{
		{SyncEachRecord.String(), Options{Mode: SyncEachRecord}},
		{GroupCommit.String(), Options{CommitInterval: DefaultCommitInterval}},
		{"group-commit-full-batches", Options{CommitInterval: DefaultCommitInterval, CommitBatch: benchAppenders}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			o := openTest(b, tc.opt)
			b.SetParallelism(benchAppenders / max(1, runtimeProcs()))
			startTx := o.stats.txID
			startIO, ioOK := writeBytes()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := o.Append(context.Background(), benchRecord); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
			b.ReportMetric(float64(o.stats.txID-startTx)/float64(b.N), "commits/result")
			if endIO, ok := writeBytes(); ok && ioOK {
				b.ReportMetric(float64(endIO-startIO)/float64(b.N), "disk-B/result")
			}
		})
	}
}

// writeBytes returns write_bytes from /proc/self/io: bytes this process
// caused to be sent to the storage layer.
func writeBytes() (int64, bool) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "write_bytes: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
