package eval

import (
	"slices"
)

// Bucket names, from the lowest third of the data set to the highest.
const (
	BucketLow  = "low"
	BucketMid  = "mid"
	BucketHigh = "high"
)

// Image-statistic slice keys.
const (
	KeyBrightness = "brightness"
	KeyContrast   = "contrast"
	KeySharpness  = "sharpness"
)

// BucketEdges split one image statistic into thirds: values below Low are
// "low", values from High on are "high", the rest "mid". The edges are
// the data set's own tertiles, so each bucket holds about a third of the
// images whatever the resolution or kind of pictures; they are recorded in
// the report so a rerun on the same data uses the same split.
type BucketEdges struct {
	Key    string  `json:"key"`
	Metric string  `json:"metric"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
}

// Bucket names the third v falls in.
func (e BucketEdges) Bucket(v float64) string {
	switch {
	case v < e.Low:
		return BucketLow
	case v >= e.High:
		return BucketHigh
	}
	return BucketMid
}

// imageMetrics lists the statistics sliced by: slice key, metric name,
// and how to read it.
var imageMetrics = []struct {
	key, metric string
	get         func(ImageStats) float64
}{
	{KeyBrightness, "mean_luma", func(s ImageStats) float64 { return s.MeanLuma }},
	{KeyContrast, "rms_contrast", func(s ImageStats) float64 { return s.Contrast }},
	{KeySharpness, "laplacian_variance", func(s ImageStats) float64 { return s.Sharpness }},
}

// ImageBuckets computes the tertile edges of every image statistic over
// the samples that carry Stats; nil when none does.
func ImageBuckets(samples []Sample) []BucketEdges {
	var out []BucketEdges
	vals := make([]float64, 0, len(samples))
	for _, m := range imageMetrics {
		vals = vals[:0]
		for i := range samples {
			if st := samples[i].Stats; st != nil {
				vals = append(vals, m.get(*st))
			}
		}
		if len(vals) == 0 {
			return nil
		}
		slices.Sort(vals)
		out = append(out, BucketEdges{
			Key: m.key, Metric: m.metric,
			Low:  quantileSorted(vals, 1.0/3),
			High: quantileSorted(vals, 2.0/3),
		})
	}
	return out
}

// bucketTags returns the image-statistic tags of one sample.
func bucketTags(st *ImageStats, edges []BucketEdges) []Tag {
	if st == nil {
		return nil
	}
	tags := make([]Tag, 0, len(edges))
	for _, e := range edges {
		for _, m := range imageMetrics {
			if m.key == e.Key {
				tags = append(tags, Tag{Key: e.Key, Value: e.Bucket(m.get(*st))})
			}
		}
	}
	return tags
}

// quantileSorted is the q-quantile of sorted values by linear
// interpolation between closest ranks (Hyndman & Fan type 7, the default
// of R and NumPy).
func quantileSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	h := q * float64(n-1)
	i := int(h)
	if i >= n-1 {
		return sorted[n-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}
