package jpeg

import (
	"bytes"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// benchPhotos are shared photos of the common layouts: 4:4:4, 4:2:0 and
// 4:2:2 ImageNet photos and a progressive 4:2:0 one.
var benchPhotos = []string{
	"imagenet/n01440764_tench.JPEG",
	"imagenet/n01667778_terrapin.JPEG",
	"imagenet/n03770679_minivan.JPEG",
	"misc/tflite-support/multi_objects.jpg",
}

func loadBenchPhotos(b *testing.B) [][]byte {
	dir := sharedtest.Dir(b, "images")
	var out [][]byte
	for _, n := range benchPhotos {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			b.Skipf("skipping: %v", err)
		}
		out = append(out, data)
	}
	return out
}

// BenchmarkDecode compares this decoder (RGBA out, fancy upsampling) with
// the standard library (YCbCr out, no colour conversion) on the same
// photos. Besides wall time it reports cpu-ns/op, the process's user+system
// CPU time per op, which stays meaningful on a loaded machine.
func BenchmarkDecode(b *testing.B) {
	photos := loadBenchPhotos(b)
	var size int64
	for _, p := range photos {
		size += int64(len(p))
	}
	run := func(b *testing.B, decode func([]byte) error) {
		b.SetBytes(size)
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			for _, p := range photos {
				if err := decode(p); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("fovea", func(b *testing.B) {
		run(b, func(p []byte) error { _, err := DecodeBytes(p); return err })
	})
	b.Run("stdlib", func(b *testing.B) {
		run(b, func(p []byte) error { _, err := stdjpeg.Decode(bytes.NewReader(p)); return err })
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeRatio decodes each photo with both decoders in turn and
// reports the ratio of their times (fovea/stdlib), so that load on a shared
// machine weighs on both alike.
func BenchmarkDecodeRatio(b *testing.B) {
	photos := loadBenchPhotos(b)
	var ours, std time.Duration
	for b.Loop() {
		for _, p := range photos {
			t0 := time.Now()
			if _, err := DecodeBytes(p); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := stdjpeg.Decode(bytes.NewReader(p)); err != nil {
				b.Fatal(err)
			}
			ours += t1.Sub(t0)
			std += time.Since(t1)
		}
	}
	b.ReportMetric(float64(ours)/float64(std), "fovea/stdlib")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "fovea-ns/op")
	b.ReportMetric(float64(std.Nanoseconds())/float64(b.N), "stdlib-ns/op")
}
