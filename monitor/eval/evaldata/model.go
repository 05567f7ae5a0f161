package evaldata

import (
	"fmt"
	"strconv"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/monitor/eval"
)

// Model is a classifier under evaluation.
type Model struct {
	Info eval.ModelInfo
	// Labels name the output classes (the labels file, else the model's
	// embedded labels, else the class indices "0", "1", …).
	Labels     []string
	Classifier *infer.Classifier
}

// ModelOptions say how to load a model.
type ModelOptions struct {
	// Labels is a labels file; "" means the model's embedded labels.
	Labels string
	// Engine is the inference engine ("" = infer.DefaultEngine).
	Engine string
	// Threads is the interpreter's worker count.
	Threads int
}

// LoadModel opens a model file and prepares its classifier exactly as
// fovea classify does. Close the model when done.
func LoadModel(path string, opts ModelOptions) (*Model, error) {
	m, err := infer.Open(path, infer.LoadOptions{Engine: opts.Engine})
	if err != nil {
		return nil, fmt.Errorf("evaldata.LoadModel: %w", err)
	}
	copts := infer.ClassifierOptions{Threads: opts.Threads}
	if opts.Labels != "" {
		if copts.Labels, err = infer.ReadLabels(opts.Labels); err != nil {
			return nil, fmt.Errorf("evaldata.LoadModel: %w", err)
		}
	}
	c, err := infer.NewClassifier(m, copts)
	if err != nil {
		return nil, fmt.Errorf("evaldata.LoadModel %s: %w", path, err)
	}
	info := m.Info()
	n := info.Outputs[0].NumElements()
	labels := copts.Labels
	if labels == nil {
		labels = info.Labels
	}
	if labels == nil {
		labels = make([]string, n)
		for i := range labels {
			labels[i] = strconv.Itoa(i)
		}
	}
	return &Model{
		Info:       eval.ModelInfo{Name: info.Name, Path: path, SHA256: info.SHA256, Classes: n},
		Labels:     labels,
		Classifier: c,
	}, nil
}

// Close releases the classifier.
func (m *Model) Close() error { return m.Classifier.Close() }
