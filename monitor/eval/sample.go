package eval

import "time"

// Pred is one ranked class of a prediction.
type Pred struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// Tag puts an image into one slice: Key is the dimension ("source",
// "brightness", a ground-truth column), Value the slice within it.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Sample is one evaluated image.
type Sample struct {
	// ID names the image within the data set (a relative path, or
	// "synthetic#SEQ"); paired comparison matches samples by ID.
	ID string
	// Truth is the true class as the model's output index, or −1 when the
	// true class is not one the model knows (it can then never be right).
	Truth int
	// TruthLabel names the true class.
	TruthLabel string
	// Top holds the model's best classes, best first (at least one unless
	// Err is set).
	Top []Pred
	// Latency is the time the model took for the image: preprocessing
	// (resize, quantization) plus Invoke, not decoding the file.
	Latency time.Duration
	// Tags are the slices the image belongs to besides the image-statistic
	// buckets, which are derived from Stats.
	Tags []Tag
	// Stats, when set, are the image's brightness, contrast and sharpness.
	Stats *ImageStats
	// Err, when not empty, says why the image could not be classified; the
	// sample is then left out of every metric and listed as failed.
	Err string
}

// ok reports whether the sample was classified.
func (s *Sample) ok() bool { return s.Err == "" && len(s.Top) > 0 }

// correctAt reports whether the true class is among the first k
// predictions.
func (s *Sample) correctAt(k int) bool {
	if s.Truth < 0 {
		return false
	}
	for i := 0; i < k && i < len(s.Top); i++ {
		if s.Top[i].Index == s.Truth {
			return true
		}
	}
	return false
}

// Correct reports whether the top-1 prediction is the true class.
func (s *Sample) Correct() bool { return s.ok() && s.correctAt(1) }
