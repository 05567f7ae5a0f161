package monitor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ProfileVersion is the version of the profile JSON this package writes
// and reads.
const ProfileVersion = 1

// Bins for the confidence and entropy distributions: equal width on
// [0, 1].
const probBins = 100

// Profile is a camera's reference: what its frames and the model's
// outputs looked like when they were known to be good. Learned over the
// warm-up window or loaded from JSON (for example from a model bundle).
type Profile struct {
	Version int `json:"version"`
	// Results is how many results it was learned from.
	Results int `json:"results"`
	// Input holds one reference per input test (brightness, contrast,
	// sharpness, color_r, color_g, color_b).
	Input map[string]StatRef `json:"input,omitempty"`
	// Output is the reference of the model's outputs; it belongs to one
	// model (sha256).
	Output *OutputRef `json:"output,omitempty"`
	// Embedding is the reference of the embedding test.
	Embedding *EmbeddingRef `json:"embedding,omitempty"`
}

// StatRef is the reference distribution of one frame statistic: the
// interior edges of its quantile bins, the reference probability of every
// bin (len(Edges)+1), and its mean and standard deviation.
type StatRef struct {
	Edges []float64 `json:"edges"`
	Probs []float64 `json:"probs"`
	Mean  float64   `json:"mean"`
	Std   float64   `json:"std"`
}

// OutputRef is the reference of the model's outputs.
type OutputRef struct {
	Model   string `json:"model"`
	Classes int    `json:"classes"`
	// ClassBins maps every class index to a bin of ClassProbs: the most
	// frequent reference classes have their own bin, the rest share the
	// last one (at most 20 bins).
	ClassBins  []int     `json:"class_bins"`
	ClassProbs []float64 `json:"class_probs"`
	// Confidence and Entropy are the distributions of the top-1
	// confidence and of the normalised entropy over 100 equal bins on
	// [0, 1].
	Confidence []float64 `json:"confidence"`
	Entropy    []float64 `json:"entropy"`
	// LowConfidence is the share of results below Config.LowConfidence;
	// MeanConfidence the mean top-1 confidence.
	LowConfidence  float64 `json:"low_confidence"`
	MeanConfidence float64 `json:"mean_confidence"`
	// Accuracy is the top-1 accuracy on the reference when known (from
	// labels during the warm-up, or from fovea eval); it enables the ATC
	// accuracy estimate.
	Accuracy *float64 `json:"accuracy,omitempty"`
}

// EmbeddingRef is the reference of the embedding test: per projected
// dimension, mean and standard deviation.
type EmbeddingRef struct {
	Tensor string    `json:"tensor"`
	Dims   int       `json:"dims"` // elements of the tensor
	Seed   uint64    `json:"seed"` // of the random projection (0 = none)
	Mean   []float64 `json:"mean"`
	Std    []float64 `json:"std"`
}

// ErrProfile marks a profile that cannot be used.
var ErrProfile = errors.New("invalid monitor profile")

// maxProfileClasses bounds the class count a profile may claim.
const maxProfileClasses = 100000

// ParseProfile decodes and checks a profile (strict: unknown fields are
// errors).
func ParseProfile(data []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("monitor.ParseProfile: %w: %w", ErrProfile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("monitor.ParseProfile: %w: data after the profile", ErrProfile)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("monitor.ParseProfile: %w", err)
	}
	return &p, nil
}

// Validate checks the profile's shapes and values.
func (p *Profile) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrProfile}, args...)...))
	}
	if p.Version != ProfileVersion {
		bad("version %d; this agent reads version %d", p.Version, ProfileVersion)
	}
	for _, name := range inputTests {
		r, ok := p.Input[name]
		if !ok {
			if len(p.Input) > 0 {
				bad("input.%s missing", name)
			}
			continue
		}
		if len(r.Probs) != len(r.Edges)+1 || len(r.Edges) > 64 {
			bad("input.%s: %d edges need %d probs (at most 64 edges)", name, len(r.Edges), len(r.Edges)+1)
		}
		for i := 1; i < len(r.Edges); i++ {
			if !(r.Edges[i] > r.Edges[i-1]) {
				bad("input.%s: edges not increasing", name)
				break
			}
		}
		if !probsOK(r.Probs) || !finite(r.Mean) || !(r.Std >= 0) {
			bad("input.%s: probabilities must be in [0, 1] and sum to 1, mean and std finite", name)
		}
	}
	for name := range p.Input {
		if indexOf(inputTests[:], name) < 0 {
			bad("input.%s: unknown statistic", name)
		}
	}
	if o := p.Output; o != nil {
		if o.Classes < 1 || o.Classes > maxProfileClasses || len(o.ClassBins) != o.Classes {
			bad("output: %d classes with %d class bins", o.Classes, len(o.ClassBins))
		}
		for _, b := range o.ClassBins {
			if b < 0 || b >= len(o.ClassProbs) {
				bad("output: class bin %d out of range [0, %d)", b, len(o.ClassProbs))
				break
			}
		}
		if len(o.ClassProbs) > maxClassBins || !probsOK(o.ClassProbs) {
			bad("output: class_probs must be at most %d probabilities summing to 1", maxClassBins)
		}
		if len(o.Confidence) != probBins || len(o.Entropy) != probBins || !probsOK(o.Confidence) || !probsOK(o.Entropy) {
			bad("output: confidence and entropy need %d probabilities each, summing to 1", probBins)
		}
		if !(o.LowConfidence >= 0 && o.LowConfidence <= 1) || !(o.MeanConfidence >= 0 && o.MeanConfidence <= 1) {
			bad("output: low_confidence and mean_confidence must be in [0, 1]")
		}
		if o.Accuracy != nil && !(*o.Accuracy >= 0 && *o.Accuracy <= 1) {
			bad("output: accuracy %v out of range [0, 1]", *o.Accuracy)
		}
	}
	if e := p.Embedding; e != nil {
		if len(e.Mean) == 0 || len(e.Mean) != len(e.Std) || len(e.Mean) > maxProjected || e.Dims < len(e.Mean) || e.Dims > 1<<24 {
			bad("embedding: %d means, %d stds for %d dims", len(e.Mean), len(e.Std), e.Dims)
		}
		for i := range e.Mean {
			if !finite(e.Mean[i]) || !(e.Std[i] >= 0) || math.IsInf(e.Std[i], 0) {
				bad("embedding: dimension %d has mean %v std %v", i, e.Mean[i], e.Std[i])
				break
			}
		}
	}
	return errors.Join(errs...)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func probsOK(p []float64) bool {
	s := 0.0
	for _, v := range p {
		if !(v >= 0 && v <= 1) {
			return false
		}
		s += v
	}
	return len(p) > 0 && math.Abs(s-1) < 1e-6
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
