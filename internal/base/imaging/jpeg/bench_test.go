package jpeg

import (
	"bytes"
	stdjpeg "image/jpeg"
	"os"
	"path/filepath"
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
// photos; the ratio of the two ns/op is the number to watch.
func BenchmarkDecode(b *testing.B) {
	photos := loadBenchPhotos(b)
	var size int64
	for _, p := range photos {
		size += int64(len(p))
	}
	b.Run("fovea", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			for _, p := range photos {
				if _, err := DecodeBytes(p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			for _, p := range photos {
				if _, err := stdjpeg.Decode(bytes.NewReader(p)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
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
