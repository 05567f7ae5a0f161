package train

import (
	"context"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// TestInterpreterMatchesReference runs an exported model in Fovea's
// interpreter and compares its int8 softmax output with the integer
// reference of this package (TFLite computes softmax in fixed point, the
// reference in float, so ±2 steps are allowed there).
func TestInterpreterMatchesReference(t *testing.T) {
	n, err := Train(context.Background(), Config{Seed: 4, Steps: 5, Batch: 4, Size: 32, Channels: []int{4, 8, 8}})
	if err != nil {
		t.Fatal(err)
	}
	scene := shapes.Scene{Size: 32, Seed: 21}
	q, err := Quantize(n, scene, 20)
	if err != nil {
		t.Fatal(err)
	}
	data, err := q.TFLite("test")
	if err != nil {
		t.Fatal(err)
	}
	m, err := infer.Load(data, infer.LoadOptions{})
	if err != nil {
		t.Fatalf("infer.Load(exported) = %v", err)
	}
	if got := m.Info().Labels; len(got) != len(shapes.Classes) || got[0] != shapes.Empty {
		t.Errorf("labels = %v; want %v", got, shapes.Classes)
	}
	ip, err := m.NewInterpreter(infer.InterpreterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]int8, 32*32*3)
	for i := range uint64(20) {
		q.QuantizeImage(in, scene.Render(i, false).Image)
		copy(ip.Inputs()[0].Int8s(), in)
		if err := ip.Invoke(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := ip.Outputs()[0].Int8s()
		_, want := q.Run(in)
		for k := range want {
			if d := int(got[k]) - int(want[k]); d < -2 || d > 2 {
				t.Errorf("frame %d class %d: interpreter %d, reference %d", i, k, got[k], want[k])
			}
		}
	}
}
