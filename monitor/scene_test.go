package monitor

import (
	"context"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/monitor/framestats"
)

// The demo model and its penultimate tensor.
const (
	demoModel  = "../testdata/models/shapes.tflite"
	demoTensor = "pool"
)

var epoch = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

// scene renders the synthetic scene and classifies it with the real demo
// model, filling Frames the way the agent does.
type scene struct {
	c      *infer.Classifier
	info   infer.ModelInfo
	labels []string
	model  capture.Model
	emb    []float32
}

func newScene(t testing.TB) *scene {
	t.Helper()
	m, err := infer.Open(demoModel, infer.LoadOptions{})
	if err != nil {
		t.Fatalf("open the demo model (regenerate it with make models): %v", err)
	}
	c, err := infer.NewClassifier(m, infer.ClassifierOptions{Keep: []string{demoTensor}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	info := m.Info()
	return &scene{c: c, info: info, labels: info.Labels,
		model: capture.Model{Name: info.Name, Version: info.Version, SHA256: info.SHA256}}
}

// frame renders frame i of sc, classifies it and fills f. The embedding is
// dequantized into s.emb, which f.Embedding aliases.
func (s *scene) frame(t testing.TB, sc shapes.Scene, i uint64, drifted bool, f *Frame) {
	t.Helper()
	r := sc.Render(i, drifted)
	p, err := s.c.Classify(context.Background(), r.Image, 5)
	if err != nil {
		t.Fatal(err)
	}
	pool, ok := s.c.Tensor(demoTensor)
	if !ok {
		t.Fatal("no pool tensor")
	}
	s.emb = dequantize(pool, s.emb)
	*f = Frame{Camera: "cam", Seq: i + 1, Time: epoch.Add(time.Duration(i) * 100 * time.Millisecond), Image: r.Image,
		Top: p.Top, Labels: s.labels, Embedding: s.emb, Model: s.model, Truth: r.Label}
}

func dequantize(t *infer.Tensor, dst []float32) []float32 {
	dst = dst[:0]
	scale, zp := t.Quant.Scale[0], float32(t.Quant.ZeroPoint[0])
	for _, q := range t.Int8s() {
		dst = append(dst, scale*(float32(q)-zp))
	}
	return dst
}

// record is one rendered and classified frame, kept for replay: its
// statistics, top classes and embedding (not its pixels).
type record struct {
	stats framestats.Stats
	top   []infer.Class
	emb   []float32
	truth string
}

func (s *scene) record(t testing.TB, sc shapes.Scene, i uint64, drifted bool, sp *framestats.Sampler) record {
	var f Frame
	s.frame(t, sc, i, drifted, &f)
	r := record{top: f.Top, emb: append([]float32(nil), f.Embedding...), truth: f.Truth}
	sp.Measure(f.Image, &r.stats)
	return r
}

// replay fills f from a record.
func (s *scene) replay(r *record, seq uint64, f *Frame) {
	*f = Frame{Camera: "cam", Seq: seq, Time: epoch.Add(time.Duration(seq) * 100 * time.Millisecond),
		Top: r.top, Labels: s.labels, Embedding: r.emb, Model: s.model, Truth: r.truth, measured: &r.stats}
}
