package otatest

import (
	"context"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/train"
)

// SlowModel builds a model for the shapes camera (int8 [1,64,64,3], the
// five shapes classes) with convolutions 8–16× wider than the demo model's:
// tens of times the multiply-accumulates, so several times slower per
// frame on every kernel path (about 4.5× with the VNNI kernels, where the
// shared preprocessing weighs most; far more on the generic path). It is trained for a few steps only (a second or two): its
// answers are poor, its speed is the point.
func SlowModel(t testing.TB) []byte {
	t.Helper()
	net, err := train.Train(context.Background(), train.Config{Seed: 1, Steps: 10, Batch: 4, Channels: []int{128, 256, 256, 256}})
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
