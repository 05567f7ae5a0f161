package eval

// ModelInfo identifies the evaluated model.
type ModelInfo struct {
	Name    string `json:"name"`
	Path    string `json:"path,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	Classes int    `json:"classes"`
}

// Failure is an image that could not be classified.
type Failure struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

// ModelReport is everything measured about one model on the data set.
type ModelReport struct {
	Model ModelInfo `json:"model"`
	// Images counts the classified images; Failed lists the others.
	Images int       `json:"images"`
	Failed []Failure `json:"failed,omitempty"`
	// Top1 and Top5 are the share of images whose true class is the best,
	// or among the TopK best, predictions, with Wilson 95 % intervals.
	Top1 Proportion `json:"top1"`
	Top5 Proportion `json:"top5"`
	// TopK is the k of Top5: 5, or fewer when the model has fewer classes
	// or returned fewer predictions.
	TopK     int      `json:"top_k"`
	Averages Averages `json:"averages"`
	// Classes holds every class that occurs as truth or prediction.
	Classes []ClassStats `json:"classes"`
	// Confusions lists every non-zero off-diagonal cell of the (sparse)
	// confusion matrix, most frequent first.
	Confusions  []Confusion `json:"confusions"`
	Calibration Calibration `json:"calibration"`
	Latency     Latency     `json:"latency"`
	Slices      []Slice     `json:"slices"`
}

// Evaluate computes a model's report from its samples. edges are the
// image-statistic buckets (ImageBuckets of the data set); nbins the number
// of calibration bins (0 = DefaultBins).
func Evaluate(m ModelInfo, samples []Sample, edges []BucketEdges, nbins int) ModelReport {
	r := ModelReport{Model: m, TopK: 5}
	if m.Classes > 0 {
		r.TopK = min(r.TopK, m.Classes)
	}
	var top1, topk int
	for i := range samples {
		s := &samples[i]
		if !s.ok() {
			msg := s.Err
			if msg == "" {
				msg = "no prediction"
			}
			r.Failed = append(r.Failed, Failure{ID: s.ID, Error: msg})
			continue
		}
		r.TopK = min(r.TopK, len(s.Top))
	}
	for i := range samples {
		s := &samples[i]
		if !s.ok() {
			continue
		}
		r.Images++
		if s.correctAt(1) {
			top1++
		}
		if s.correctAt(r.TopK) {
			topk++
		}
	}
	r.Top1 = NewProportion(top1, r.Images)
	r.Top5 = NewProportion(topk, r.Images)
	r.Classes, r.Confusions = classTable(samples)
	r.Averages = averages(r.Classes)
	r.Calibration = calibrate(samples, nbins)
	r.Latency = latency(samples)
	r.Slices = sliceTable(samples, edges)
	return r
}
