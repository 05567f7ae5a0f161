package otatest

import (
	"context"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/train"
)

// SlowModel builds a model for the shapes camera (int8 [1,64,64,3], the
// five shapes classes) with convolutions 4–8× wider than the demo model's:
// about 15 M multiply-accumulates per frame instead of 1.1 M, so about 10×
// slower. It is trained for a few steps only (a second or two): its
// answers are poor, its speed is the point.
func SlowModel(t testing.TB) []byte {
	t.Helper()
	net, err := train.Train(context.Background(), train.Config{Seed: 1, Steps: 10, Batch: 4, Channels: []int{32, 64, 128, 256}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := train.Quantize(net, train.SceneFor(1, 1, 64), 8)
	if err != nil {
		t.Fatal(err)
	}
	b, err := q.TFLite("slow")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
