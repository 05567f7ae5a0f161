package evaldata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fovea-edge/fovea/monitor/eval"
)

// TopK is how many ranked classes each sample keeps (enough for top-5).
const TopK = 5

// KeySource is the slice key naming the data set an image came from.
const KeySource = "source"

// RunOptions tune Run.
type RunOptions struct {
	// Limit caps the images evaluated over all sets (0 = all).
	Limit int
	// Progress, when set, is called after every image with the number
	// done and the total expected.
	Progress func(done, total int)
}

// Run classifies every image of the sets with every model, in order, and
// returns one eval.Run per model and a description of the data. Images
// are decoded once and given to each model; an image that cannot be read
// or classified becomes a failed sample, not an error. With more than one
// set, sample IDs are prefixed with the set's name.
func Run(ctx context.Context, sets []Set, models []*Model, opts RunOptions) ([]eval.Run, eval.DataInfo, error) {
	if len(sets) == 0 || len(models) == 0 {
		return nil, eval.DataInfo{}, fmt.Errorf("evaldata.Run: %w: need at least one data set and one model", ErrDataSet)
	}
	var data eval.DataInfo
	total := 0
	for _, s := range sets {
		data.Sources = append(data.Sources, s.Name())
		data.Notes = append(data.Notes, s.Notes()...)
		total += s.Len()
	}
	if opts.Limit > 0 {
		total = min(total, opts.Limit)
	}
	runs := make([]eval.Run, len(models))
	rules := make([]map[string]int, len(models))
	unknown := make([]int, len(models))
	for i, m := range models {
		runs[i] = eval.Run{Model: m.Info, Samples: make([]eval.Sample, 0, total)}
		rules[i] = map[string]int{}
	}
	done := 0
	for _, set := range sets {
		for opts.Limit <= 0 || done < opts.Limit {
			it, err := set.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, data, fmt.Errorf("evaldata.Run: %w", err)
			}
			if len(sets) > 1 {
				it.ID = set.Name() + "/" + it.ID
			}
			it.Tags = append([]eval.Tag{{Key: KeySource, Value: set.Name()}}, it.Tags...)
			var stats *eval.ImageStats
			if it.Err == nil {
				st := eval.ComputeImageStats(it.Image)
				stats = &st
			}
			for i, m := range models {
				s, rule, err := classify(ctx, m, &it, stats)
				if err != nil {
					return nil, data, err
				}
				if rule != "" {
					rules[i][rule]++
				}
				if s.Err == "" && s.Truth < 0 {
					unknown[i]++
				}
				runs[i].Samples = append(runs[i].Samples, s)
			}
			done++
			data.Images++
			if opts.Progress != nil {
				opts.Progress(done, total)
			}
		}
	}
	for i, m := range models {
		data.Truth = append(data.Truth, describeRules(m.Info.Name, rules[i], unknown[i]))
	}
	return runs, data, nil
}

// classify turns an item into one model's sample. It fails only when the
// truth cannot be mapped onto the model or ctx ends.
func classify(ctx context.Context, m *Model, it *Item, stats *eval.ImageStats) (eval.Sample, string, error) {
	s := eval.Sample{ID: it.ID, Tags: it.Tags, Stats: stats, TruthLabel: it.Truth.Label, Truth: -1}
	if it.Err != nil {
		s.Err = it.Err.Error()
		return s, "", nil
	}
	idx, label, rule, err := it.Truth.Resolve(m.Labels)
	if err != nil {
		return s, "", fmt.Errorf("evaldata.Run: %s, model %s: %w", it.ID, m.Info.Name, err)
	}
	s.Truth, s.TruthLabel = idx, label
	pred, err := m.Classifier.Classify(ctx, it.Image, TopK)
	if err != nil {
		if ctx.Err() != nil {
			return s, "", ctx.Err()
		}
		s.Err = err.Error()
		return s, rule, nil
	}
	s.Latency = pred.Preprocess + pred.Invoke
	s.Top = make([]eval.Pred, len(pred.Top))
	for i, c := range pred.Top {
		s.Top[i] = eval.Pred{Index: c.Index, Label: c.Label, Score: float64(c.Score)}
	}
	return s, rule, nil
}

// describeRules says, for one model, how true classes were found.
func describeRules(model string, rules map[string]int, unknown int) string {
	keys := make([]string, 0, len(rules))
	for k := range rules {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d images)", k, rules[k])
	}
	s := model + ": true class by " + strings.Join(parts, ", ")
	if unknown > 0 {
		s += fmt.Sprintf("; %d images show a class the model does not know", unknown)
	}
	return s
}
