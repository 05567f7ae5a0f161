package agent

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkPipeline measures the whole agent on a folder of photos read
// once (on_full: wait, so nothing is dropped): decode, classify with
// MobileNet v1 0.25 128×128, encode, group-commit to the outbox. One op is
// one result; results/s is reported beside it. workers=1 and workers=2
// show how far a second interpreter helps on this machine.
func BenchmarkPipeline(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			dir, names := imageSubset(b, 24)
			cfg := testConfig(b, `  - {id: folder, uri: "dir:`+dir+`", on_full: wait}`,
				fmt.Sprintf("http: {listen: \"off\"}\npipeline: {workers: %d}", workers))
			var total time.Duration
			var results int
			for b.Loop() {
				b.StopTimer()
				a, err := New(cfg, Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if err := a.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				total += time.Since(start)
				results += int(a.Status().Results)
			}
			if results < len(names) {
				b.Fatalf("%d results; want at least %d", results, len(names))
			}
			b.ReportMetric(float64(results)/total.Seconds(), "results/s")
			b.ReportMetric(float64(total.Microseconds())/float64(results), "µs/result")
		})
	}
}
