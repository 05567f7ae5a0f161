package tflite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

// BenchmarkGolden times one Invoke of every golden model with 1 and 2
// workers. Compare ratios within one run (see docs/interpreter.md).
func BenchmarkGolden(b *testing.B) {
	dir, cases := goldenCases(b)
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.model] {
			continue
		}
		seen[c.model] = true
		name := strings.TrimSuffix(filepath.Base(c.model), ".tflite")
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) {
				m := loadGolden(b, dir, c.model)
				it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
				if err != nil {
					b.Fatal(err)
				}
				defer it.Close()
				ctx := context.Background()
				if err := it.Invoke(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ReportMetric(float64(m.Info().MACs)/1e6, "MMACs")
				b.ResetTimer()
				for b.Loop() {
					if err := it.Invoke(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
