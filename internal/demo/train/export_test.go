package train

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// tiny trains a small network for a few steps: enough to exercise every
// path, fast enough for a unit test.
func tiny(t *testing.T, seed uint64) *Net {
	t.Helper()
	n, err := Train(context.Background(), Config{Seed: seed, Steps: 3, Batch: 4, Size: 32, Channels: []int{4, 8}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTrainDeterministic(t *testing.T) {
	a, b, c := tiny(t, 7), tiny(t, 7), tiny(t, 8)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two runs with seed 7 gave different weights")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("seeds 7 and 8 gave identical weights")
	}
	fresh := NewNet(32, 5, []int{4, 8}, rand.New(rand.NewPCG(7, 0x5eed)))
	if bytes.Equal(a.Bytes(), fresh.Bytes()) {
		t.Error("training did not change the weights")
	}
}

func TestTrainConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative steps", Config{Steps: -1}},
		{"learning rate", Config{LR: 2}},
		{"size", Config{Size: 8}},
		{"channels", Config{Channels: []int{0}}},
	}
	for _, tt := range tests {
		if _, err := Train(context.Background(), tt.cfg); err == nil {
			t.Errorf("%s: Train(%+v) = nil error", tt.name, tt.cfg)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, Config{Steps: 1, Batch: 1}); err == nil {
		t.Error("Train with a cancelled context = nil error")
	}
}

func TestFoldInputShift(t *testing.T) {
	n := tiny(t, 3)
	folded := n.Clone()
	folded.FoldInputShift()
	scene := shapes.Scene{Size: 32, Seed: 11}
	w, wf := newWork(n), newWork(folded)
	for i := range uint64(10) {
		f := scene.Render(i, false)
		setInput(w.acts[0], f.Image, 32, n.InputShift)
		setInput(wf.acts[0], f.Image, 32, folded.InputShift)
		n.forward(w)
		folded.forward(wf)
		for k := range w.logits {
			if d := math.Abs(float64(w.logits[k] - wf.logits[k])); d > 1e-4 {
				t.Fatalf("frame %d logit %d: %v shifted, %v folded", i, k, w.logits[k], wf.logits[k])
			}
		}
	}
}

// TestIntegerReferenceTracksFloat checks the quantized model against the
// float one: dequantized int8 logits stay within a few quantization steps.
func TestIntegerReferenceTracksFloat(t *testing.T) {
	n := tiny(t, 5)
	scene := shapes.Scene{Size: 32, Seed: 12}
	q, err := Quantize(n, scene, 50)
	if err != nil {
		t.Fatal(err)
	}
	w := newWork(n)
	in := make([]int8, 32*32*3)
	var worst float64
	for i := range uint64(50) {
		f := scene.Render(i, false)
		setInput(w.acts[0], f.Image, 32, n.InputShift)
		n.forward(w)
		q.QuantizeImage(in, f.Image)
		logits, _ := q.Run(in)
		for k, v := range logits {
			worst = max(worst, math.Abs(q.Logits.Dequantize(v)-float64(w.logits[k])))
		}
	}
	if limit := 4 * float64(q.Logits.Scale); worst > limit {
		t.Errorf("worst |int8 − float| logit error %v; want ≤ 4 steps (%v)", worst, limit)
	}
}

func TestExportRoundTrip(t *testing.T) {
	q, err := Quantize(tiny(t, 1), shapes.Scene{Size: 32, Seed: 2}, 10)
	if err != nil {
		t.Fatal(err)
	}
	data, err := q.TFLite("test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := schema.Parse(data)
	if err != nil {
		t.Fatalf("Parse(exported) = %v", err)
	}
	if err := schema.Validate(m); err != nil {
		t.Fatalf("Validate(exported) = %v", err)
	}
	want := q.Schema()
	sg, wsg := m.Subgraphs[0], want.Subgraphs[0]
	if len(sg.Tensors) != len(wsg.Tensors) || !slices.Equal(sg.Inputs, wsg.Inputs) || !slices.Equal(sg.Outputs, wsg.Outputs) {
		t.Fatalf("subgraph: %d tensors, in %v out %v; want %d, %v, %v", len(sg.Tensors), sg.Inputs, sg.Outputs, len(wsg.Tensors), wsg.Inputs, wsg.Outputs)
	}
	for i, tn := range sg.Tensors {
		wt := wsg.Tensors[i]
		if tn.Name != wt.Name || tn.Type != wt.Type || !slices.Equal(tn.Shape, wt.Shape) || !reflect.DeepEqual(tn.Quant, wt.Quant) {
			t.Errorf("tensor %d = %+v %+v; want %+v %+v", i, tn, tn.Quant, wt, wt.Quant)
		}
		if !bytes.Equal(m.Buffers[tn.Buffer], want.Buffers[wt.Buffer]) {
			t.Errorf("tensor %d (%s): data differs", i, tn.Name)
		}
	}
	var ops []schema.BuiltinOperator
	for _, op := range sg.Operators {
		ops = append(ops, m.OperatorCodes[op.OpcodeIndex].Builtin)
	}
	wantOps := []schema.BuiltinOperator{schema.OpConv2D, schema.OpConv2D, schema.OpAveragePool2D, schema.OpFullyConnected, schema.OpSoftmax}
	if !slices.Equal(ops, wantOps) {
		t.Errorf("operators %v; want %v", ops, wantOps)
	}
	labels, err := schema.Labels(data, m)
	if err != nil || !slices.Equal(labels, shapes.Classes) {
		t.Errorf("Labels = %v, %v; want %v", labels, err, shapes.Classes)
	}
	// Per-channel convolution weights, TFLite's conventions.
	w := sg.Tensors[1]
	if w.Quant.QuantizedDimension != 0 || len(w.Quant.Scale) != int(w.Shape[0]) || slices.ContainsFunc(w.Quant.ZeroPoint, func(z int64) bool { return z != 0 }) {
		t.Errorf("conv1 weights quantization %+v; want per-channel along 0, zero points 0", w.Quant)
	}
}
