package eval

import "math"

// DefaultBins is the number of equal-width confidence bins for ECE.
const DefaultBins = 15

// Bin is one bar of the reliability diagram: the images whose top-1
// confidence lies in (Lo, Hi] (the first bin also takes 0).
type Bin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Count      int     `json:"count"`
	Correct    int     `json:"correct"`
	Confidence float64 `json:"confidence"` // mean top-1 score in the bin
	Accuracy   float64 `json:"accuracy"`   // Correct / Count
}

// Calibration says how well the top-1 score predicts being right.
type Calibration struct {
	// ECE is the expected calibration error: Σ (count/n)·|accuracy −
	// confidence| over the bins. MCE is the largest such gap over
	// non-empty bins.
	ECE float64 `json:"ece"`
	MCE float64 `json:"mce"`
	// MeanConfidence over all images, to set against top-1 accuracy.
	MeanConfidence float64 `json:"mean_confidence"`
	Bins           []Bin   `json:"bins"`
	// Skipped, when not empty, says why no calibration was computed (the
	// scores are not probabilities); the other fields are then zero.
	Skipped string `json:"skipped,omitempty"`
}

// calibrate bins the top-1 scores of the classified samples into nbins
// equal-width bins over [0, 1].
func calibrate(samples []Sample, nbins int) Calibration {
	if nbins <= 0 {
		nbins = DefaultBins
	}
	cal := Calibration{Bins: make([]Bin, nbins)}
	for i := range cal.Bins {
		cal.Bins[i].Lo = float64(i) / float64(nbins)
		cal.Bins[i].Hi = float64(i+1) / float64(nbins)
	}
	sums := make([]float64, nbins)
	var n int
	var total float64
	for i := range samples {
		s := &samples[i]
		if !s.ok() {
			continue
		}
		p := s.Top[0].Score
		if !(p >= 0 && p <= 1) {
			return Calibration{Skipped: "top-1 scores outside [0, 1]: the model's output is not a probability (no softmax)"}
		}
		b := binOf(p, nbins)
		cal.Bins[b].Count++
		if s.correctAt(1) {
			cal.Bins[b].Correct++
		}
		sums[b] += p
		total += p
		n++
	}
	if n == 0 {
		return cal
	}
	cal.MeanConfidence = total / float64(n)
	for i := range cal.Bins {
		b := &cal.Bins[i]
		if b.Count == 0 {
			continue
		}
		b.Confidence = sums[i] / float64(b.Count)
		b.Accuracy = float64(b.Correct) / float64(b.Count)
		gap := math.Abs(b.Accuracy - b.Confidence)
		cal.ECE += float64(b.Count) / float64(n) * gap
		cal.MCE = max(cal.MCE, gap)
	}
	return cal
}

// binOf returns the bin of p: bin i holds (i/n, (i+1)/n], bin 0 also 0.
func binOf(p float64, n int) int {
	b := int(math.Ceil(p*float64(n))) - 1
	return min(max(b, 0), n-1)
}
