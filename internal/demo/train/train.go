package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

var (
	// ErrBadConfig is returned for an invalid training configuration.
	ErrBadConfig = errors.New("invalid training configuration")
)

// Config is a training run. The zero value of every field but Seed means
// its default (see Defaults).
type Config struct {
	// Seed makes the run deterministic: same seed, same weights.
	Seed uint64
	// Steps is the number of optimiser steps of Batch frames each.
	Steps int
	Batch int
	// LR is Adam's peak learning rate (cosine decay to zero after a short
	// warm-up).
	LR float64
	// Size is the input side in pixels.
	Size int
	// Channels are the widths of the stride-2 convolutions.
	Channels []int
	// Log receives progress every LogEvery steps; nil discards.
	Log      *slog.Logger
	LogEvery int
}

// Defaults fills the zero fields with the demo recipe.
func (c Config) Defaults() Config {
	if c.Steps == 0 {
		c.Steps = 4000
	}
	if c.Batch == 0 {
		c.Batch = 16
	}
	if c.LR == 0 {
		c.LR = 6e-3
	}
	if c.Size == 0 {
		c.Size = 64
	}
	if len(c.Channels) == 0 {
		c.Channels = defaultChannels
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.LogEvery == 0 {
		c.LogEvery = 100
	}
	return c
}

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Steps < 1 {
		errs = append(errs, fmt.Errorf("%w: steps %d must be at least 1", ErrBadConfig, c.Steps))
	}
	if c.Batch < 1 {
		errs = append(errs, fmt.Errorf("%w: batch %d must be at least 1", ErrBadConfig, c.Batch))
	}
	if !(c.LR > 0 && c.LR < 1) {
		errs = append(errs, fmt.Errorf("%w: learning rate %v must be in (0, 1)", ErrBadConfig, c.LR))
	}
	if c.Size < 16 || c.Size > 256 {
		errs = append(errs, fmt.Errorf("%w: size %d must be in [16, 256]", ErrBadConfig, c.Size))
	}
	for _, ch := range c.Channels {
		if ch < 1 || ch > 256 {
			errs = append(errs, fmt.Errorf("%w: channel width %d must be in [1, 256]", ErrBadConfig, ch))
		}
	}
	return errors.Join(errs...)
}

// Streams of the synthetic scene used by training, calibration and
// evaluation: the same seed never feeds two of them.
const (
	trainStream = iota
	calibStream
	evalStream
)

// SceneFor returns the undrifted scene of one stream for a seed.
func SceneFor(seed uint64, stream int, size int) shapes.Scene {
	return shapes.Scene{Size: size, Seed: seed*4 + uint64(stream)}
}

// Train trains the demo CNN on freshly rendered frames (every frame is new,
// so there is no over-fitting to a fixed set). It runs on the calling
// goroutine, summing in a fixed order, so the result depends only on cfg.
func Train(ctx context.Context, cfg Config) (*Net, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("train.Train: %w", err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	net := NewNet(cfg.Size, len(shapes.Classes), cfg.Channels, rng)
	grad := net.zeroLike()
	opt := newAdam(net.params())
	w := newWork(net)
	scene := SceneFor(cfg.Seed, trainStream, cfg.Size)
	var lossSum float64
	var correct, seen int
	for step := range cfg.Steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("train.Train: step %d: %w", step, err)
		}
		for _, p := range grad.params() {
			clear(p)
		}
		for j := range cfg.Batch {
			f := scene.Render(uint64(step*cfg.Batch+j), false)
			label := classIndex(f.Label)
			setInput(w.acts[0], f.Image, cfg.Size, net.InputShift)
			net.forward(w)
			if argmax(w.logits) == label {
				correct++
			}
			seen++
			lossSum += net.backward(w, label, grad)
		}
		opt.step(net.params(), grad.params(), float32(1/float64(cfg.Batch)), lrAt(cfg, step))
		if (step+1)%cfg.LogEvery == 0 || step+1 == cfg.Steps {
			cfg.Log.Info("train", "step", step+1, "of", cfg.Steps,
				"loss", math.Round(lossSum/float64(seen)*1000)/1000,
				"train_acc", math.Round(float64(correct)/float64(seen)*1000)/1000)
			lossSum, correct, seen = 0, 0, 0
		}
	}
	return net, nil
}

// lrAt is a linear warm-up over the first 5% of steps, then cosine decay.
func lrAt(cfg Config, step int) float32 {
	warm := max(cfg.Steps/20, 1)
	if step < warm {
		return float32(cfg.LR * float64(step+1) / float64(warm))
	}
	t := float64(step-warm) / float64(max(cfg.Steps-warm, 1))
	return float32(cfg.LR * 0.5 * (1 + math.Cos(math.Pi*t)))
}

func classIndex(label string) int {
	for i, c := range shapes.Classes {
		if c == label {
			return i
		}
	}
	return -1
}

// adam is the Adam optimiser.
type adam struct {
	m, v [][]float32
	t    int
}

func newAdam(params [][]float32) *adam {
	a := &adam{}
	for _, p := range params {
		a.m = append(a.m, make([]float32, len(p)))
		a.v = append(a.v, make([]float32, len(p)))
	}
	return a
}

// step applies grads·gradScale with learning rate lr.
func (a *adam) step(params, grads [][]float32, gradScale, lr float32) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	a.t++
	c1 := float32(1 - math.Pow(b1, float64(a.t)))
	c2 := float32(1 - math.Pow(b2, float64(a.t)))
	for i, p := range params {
		m, v, g := a.m[i], a.v[i], grads[i]
		for j := range p {
			gj := g[j] * gradScale
			m[j] = b1*m[j] + (1-b1)*gj
			v[j] = b2*v[j] + (1-b2)*gj*gj
			p[j] -= lr * (m[j] / c1) / (float32(math.Sqrt(float64(v[j]/c2))) + eps)
		}
	}
}

// Accuracy is the float network's top-1 accuracy on n frames of scene
// (rendered undrifted unless drifted).
func (n *Net) Accuracy(scene shapes.Scene, count int, drifted bool) float64 {
	w := newWork(n)
	correct := 0
	for i := range count {
		f := scene.Render(uint64(i), drifted)
		setInput(w.acts[0], f.Image, n.Size, n.InputShift)
		n.forward(w)
		if argmax(w.logits) == classIndex(f.Label) {
			correct++
		}
	}
	return float64(correct) / float64(count)
}
