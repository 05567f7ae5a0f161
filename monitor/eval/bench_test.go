package eval

import (
	"image"
	"testing"
	"time"
)

// BenchmarkEvaluate measures a full model report over 50,000 samples of a
// 1001-class model (the ImageNet validation set's size).
func BenchmarkEvaluate(b *testing.B) {
	const n, classes = 50000, 1001
	samples := make([]Sample, n)
	for i := range samples {
		truth := i % classes
		pred := truth
		if i%4 == 0 {
			pred = (truth * 7) % classes
		}
		samples[i] = Sample{
			ID: "x", Truth: truth, TruthLabel: "t",
			Top:     []Pred{{Index: pred, Label: "p", Score: float64(i%100) / 100}, {Index: (pred + 1) % classes, Label: "q", Score: .01}},
			Latency: time.Duration(i%50) * time.Millisecond,
			Tags:    []Tag{{Key: "camera", Value: []string{"a", "b", "c"}[i%3]}},
			Stats:   &ImageStats{MeanLuma: float64(i % 255), Contrast: float64(i % 60), Sharpness: float64(i % 1000)},
		}
	}
	edges := ImageBuckets(samples)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(ModelInfo{Name: "m", Classes: classes}, samples, edges, DefaultBins)
	}
}

// BenchmarkImageStats measures brightness, contrast and sharpness of a
// 500×375 JPEG-sized picture.
func BenchmarkImageStats(b *testing.B) {
	img := image.NewYCbCr(image.Rect(0, 0, 500, 375), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i * 31)
	}
	b.ReportAllocs()
	for b.Loop() {
		ComputeImageStats(img)
	}
}
