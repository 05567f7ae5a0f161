package infer_test

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
)

// TestClassifierKeep reads the demo model's penultimate tensor through the
// Classifier after Classify (byte-exactness of kept tensors is checked in
// infer/tflite), and that tensors not kept are not exposed.
func TestClassifierKeep(t *testing.T) {
	m, err := infer.Open("../testdata/models/shapes.tflite", infer.LoadOptions{})
	if err != nil {
		t.Fatalf("open the demo model (make models): %v", err)
	}
	c, err := infer.NewClassifier(m, infer.ClassifierOptions{Keep: []string{"pool"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			v := uint8(40)
			if (x-32)*(x-32)+(y-32)*(y-32) < 18*18 {
				v = 220 // a bright disc on a dark background
			}
			img.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	p, err := c.Classify(context.Background(), img, 0)
	if err != nil {
		t.Fatal(err)
	}
	pool, ok := c.Tensor("pool")
	if !ok {
		t.Fatal(`Tensor("pool") not found after Keep`)
	}
	if pool.NumElements() < 8 || pool.Type != infer.Int8 {
		t.Fatalf("pool = %v %v; want int8 features", pool.Type, pool.Shape)
	}
	nonzero := 0
	for _, q := range pool.Int8s() {
		if int64(q) != pool.Quant.ZeroPoint[0] {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Errorf("every pooled feature is zero; the tensor was not preserved")
	}
	if _, ok := c.Tensor("conv1/relu"); ok {
		t.Error(`Tensor("conv1/relu") found without Keep`)
	}
	if len(p.Top) != 5 {
		t.Errorf("Classify = %v; want the 5 demo classes", p.Top)
	}
}
