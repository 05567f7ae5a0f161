package train

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// committedModel is the generated demo model (fovea train-demo --seed 1).
const committedModel = "../../../testdata/models/shapes.tflite"

// TestCommittedModelAccuracy runs the committed model in Fovea's
// interpreter on held-out, undrifted frames (a stream training never saw)
// and on drifted ones, where accuracy must drop: the point of the drift
// knobs.
func TestCommittedModelAccuracy(t *testing.T) {
	data, err := os.ReadFile(committedModel)
	if err != nil {
		t.Fatalf("read the committed model (regenerate it with: go run ./cmd/fovea train-demo --out testdata/models/shapes.tflite): %v", err)
	}
	if len(data) > 200<<10 {
		t.Errorf("model is %d bytes; keep it under 200 KB", len(data))
	}
	m, err := infer.Load(data, infer.LoadOptions{})
	if err != nil {
		t.Fatalf("infer.Load(%s) = %v", committedModel, err)
	}
	info := m.Info()
	if !slices.Equal(info.Labels, shapes.Classes) {
		t.Errorf("labels = %v; want %v", info.Labels, shapes.Classes)
	}
	in := info.Inputs[0]
	if in.Type != infer.Int8 || !slices.Equal(in.Shape, []int{1, 64, 64, 3}) {
		t.Fatalf("input %v %v; want int8 [1 64 64 3]", in.Type, in.Shape)
	}
	ip, err := m.NewInterpreter(infer.InterpreterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q := &QModel{Size: 64}
	buf := make([]int8, 64*64*3)
	accuracy := func(scene shapes.Scene, n int, drifted bool) float64 {
		correct := 0
		for i := range n {
			f := scene.Render(uint64(i), drifted)
			q.QuantizeImage(buf, f.Image)
			copy(ip.Inputs()[0].Int8s(), buf)
			if err := ip.Invoke(context.Background()); err != nil {
				t.Fatal(err)
			}
			if k := argmaxInt8(ip.Outputs()[0].Int8s()); info.Labels[k] == f.Label {
				correct++
			}
		}
		return float64(correct) / float64(n)
	}
	frames := 1000
	if testing.Short() {
		frames = 200
	}
	held := SceneFor(DemoSeed, evalStream, 64)
	acc := accuracy(held, frames, false)
	t.Logf("int8 accuracy in Fovea's interpreter on %d held-out frames: %.2f%%", frames, 100*acc)
	if acc < 0.95 {
		t.Errorf("int8 accuracy %.3f on held-out frames; want ≥ 0.95", acc)
	}
	tests := []struct {
		name  string
		drift shapes.Drift
	}{
		{"newclass", shapes.Drift{Kind: shapes.NewClass, Amount: 1}},
		{"contrast", shapes.Drift{Kind: shapes.Contrast, Amount: -0.8}},
		{"noise", shapes.Drift{Kind: shapes.Noise, Amount: 1}},
	}
	for _, tt := range tests {
		sc := held
		sc.Drifts = []shapes.Drift{tt.drift}
		d := accuracy(sc, 200, true)
		t.Logf("drift %s %.1f: accuracy %.2f%%", tt.drift.Kind, tt.drift.Amount, 100*d)
		if d > acc-0.1 {
			t.Errorf("drift %s: accuracy %.3f; want it at least 10 points below the undrifted %.3f", tt.name, d, acc)
		}
	}
}
