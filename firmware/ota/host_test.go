package ota

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// frameHost is a Host that behaves like the agent in miniature: a loop
// renders frames of the shapes scene (whose truth is known), classifies
// each with the active model and, when one runs, the shadow model, with
// real interpreters, and swaps models between frames.
type frameHost struct {
	configured string // model.path of the "configuration"

	mu       sync.Mutex // guards the fields below
	active   *infer.Classifier
	version  string // of active; "" = configured
	shadow   *infer.Classifier
	shadowFn func(active, shadow Outcome, truth string)
	input    infer.TensorInfo
	byModel  map[string]int // frames classified per active version
	// activations records every Activate in order.
	activations []string

	frames atomic.Int64
}

func newFrameHost(t testing.TB) *frameHost {
	h := &frameHost{configured: otatest.ModelPath(t), byModel: map[string]int{}}
	c, in, err := h.load(nil)
	if err != nil {
		t.Fatal(err)
	}
	h.active, h.input = c, in
	t.Cleanup(func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.active.Close()
		if h.shadow != nil {
			h.shadow.Close()
		}
	})
	return h
}

func (h *frameHost) load(v *store.Version) (*infer.Classifier, infer.TensorInfo, error) {
	path, labelsPath := h.configured, ""
	if v != nil {
		path, labelsPath = v.ModelPath(), v.LabelsPath()
	}
	m, err := infer.Open(path, infer.LoadOptions{})
	if err != nil {
		return nil, infer.TensorInfo{}, err
	}
	var labels []string
	if labelsPath != "" {
		if labels, err = infer.ReadLabels(labelsPath); err != nil {
			return nil, infer.TensorInfo{}, err
		}
	}
	c, err := infer.NewClassifier(m, infer.ClassifierOptions{Labels: labels})
	if err != nil {
		return nil, infer.TensorInfo{}, err
	}
	return c, m.Info().Inputs[0], nil
}

func name(v *store.Version) string {
	if v == nil {
		return ""
	}
	return v.Version
}

func (h *frameHost) Activate(v *store.Version) error {
	c, in, err := h.load(v)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.active.Close()
	h.active, h.version, h.input = c, name(v), in
	h.activations = append(h.activations, name(v))
	return nil
}

func (h *frameHost) StartShadow(v *store.Version, fn func(active, shadow Outcome, truth string)) error {
	c, _, err := h.load(v)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shadow != nil {
		h.shadow.Close()
	}
	h.shadow, h.shadowFn = c, fn
	return nil
}

func (h *frameHost) StopShadow() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.shadow != nil {
		h.shadow.Close()
	}
	h.shadow, h.shadowFn = nil, nil
}

func (h *frameHost) Input() infer.TensorInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.input
}

// run classifies frames until ctx ends.
func (h *frameHost) run(ctx context.Context) error {
	sc := shapes.Scene{Size: 64, Seed: 3}
	for i := uint64(0); ctx.Err() == nil; i++ {
		f := sc.Render(i, false)
		h.mu.Lock()
		p, err := h.active.Classify(ctx, f.Image, 1)
		if err != nil {
			h.mu.Unlock()
			return fmt.Errorf("frame %d: %w", i, err)
		}
		h.byModel[h.version]++
		if h.shadow != nil {
			sp, serr := h.shadow.Classify(ctx, f.Image, 1)
			h.shadowFn(outcome(p, nil), outcome(sp, serr), f.Label)
		}
		h.mu.Unlock()
		h.frames.Add(1)
	}
	return nil
}

func outcome(p infer.Prediction, err error) Outcome {
	o := Outcome{Latency: p.Preprocess + p.Invoke, Err: err}
	if len(p.Top) > 0 {
		o.Top1, o.Score = p.Top[0].Label, p.Top[0].Score
	}
	return o
}

func (h *frameHost) current() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version
}
