package train

import (
	"math/rand/v2"
	"testing"

	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// BenchmarkForward is the float network on one frame (the baseline);
// BenchmarkTrainSample adds the backward pass; BenchmarkInt8Reference is
// the integer reference on one frame. Rendering is outside the timings.
func BenchmarkForward(b *testing.B) {
	n := NewNet(64, 5, defaultChannels, rand.New(rand.NewPCG(1, 1)))
	w := newWork(n)
	setInput(w.acts[0], shapes.Scene{Size: 64, Seed: 1}.Render(0, false).Image, 64, n.InputShift)
	for b.Loop() {
		n.forward(w)
	}
}

func BenchmarkTrainSample(b *testing.B) {
	n := NewNet(64, 5, defaultChannels, rand.New(rand.NewPCG(1, 1)))
	g := n.zeroLike()
	w := newWork(n)
	setInput(w.acts[0], shapes.Scene{Size: 64, Seed: 1}.Render(0, false).Image, 64, n.InputShift)
	for b.Loop() {
		n.forward(w)
		n.backward(w, 1, g)
	}
}

func BenchmarkInt8Reference(b *testing.B) {
	n := NewNet(64, 5, defaultChannels, rand.New(rand.NewPCG(1, 1)))
	scene := shapes.Scene{Size: 64, Seed: 1}
	q, err := Quantize(n, scene, 4)
	if err != nil {
		b.Fatal(err)
	}
	in := make([]int8, 64*64*3)
	q.QuantizeImage(in, scene.Render(0, false).Image)
	for b.Loop() {
		q.Run(in)
	}
}
