package ota

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/infer"
)

// selfTest loads the candidate the way the agent runs models, checks its
// input against the manifest and the running model, runs the bundle's
// test vectors twice (the first run warms up) and holds the slowest of
// the second run against the latency budget.
func (m *Machine) selfTest(ctx context.Context, v *store.Version, g deploy.Gates) (string, error) {
	man := v.Manifest
	model, err := infer.Open(v.ModelPath(), infer.LoadOptions{Engine: m.cfg.Engine, Name: man.Name})
	if err != nil {
		return "", fmt.Errorf("self-test: %w: %w", ErrModelLoad, err)
	}
	info := model.Info()
	if len(info.Inputs) == 0 {
		return "", fmt.Errorf("self-test: %w: no inputs", ErrModelLoad)
	}
	in := info.Inputs[0]
	if !slices.Equal(in.Shape, man.Input.Shape) || in.Type.String() != man.Input.DType {
		return "", fmt.Errorf("self-test: %w: the model takes %v %v; its manifest says %s %v", ErrInputShape, in.Type, in.Shape, man.Input.DType, man.Input.Shape)
	}
	if want := m.cfg.Host.Input(); len(want.Shape) > 0 && (!slices.Equal(in.Shape, want.Shape) || in.Type != want.Type) {
		return "", fmt.Errorf("self-test: %w: the candidate takes %v %v; the configured model takes %v %v", ErrInputShape, in.Type, in.Shape, want.Type, want.Shape)
	}
	labels, err := infer.ReadLabels(v.LabelsPath())
	if err != nil {
		return "", fmt.Errorf("self-test: %w: %w", ErrModelLoad, err)
	}
	c, err := infer.NewClassifier(model, infer.ClassifierOptions{Labels: labels, Mean: man.Input.Mean, Std: man.Input.Std, Resize: m.cfg.Resize, Threads: m.cfg.Threads})
	if err != nil {
		return "", fmt.Errorf("self-test: %w: %w", ErrModelLoad, err)
	}
	defer c.Close()
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(v.Dir, name)) }
	if len(man.Tests) == 0 {
		return "self-test: loaded; the bundle has no test vectors", nil
	}
	var res []bundle.TestResult
	for range 2 {
		if res, err = bundle.RunTests(ctx, c, man, read); err != nil {
			return "", fmt.Errorf("self-test: %w", err)
		}
	}
	var worst time.Duration
	for _, r := range res {
		worst = max(worst, r.Latency)
	}
	if budget := g.MaxLatencyP99.D(); budget > 0 && worst > budget {
		return "", fmt.Errorf("self-test: %w: %s on a test vector; the budget is %s", ErrLatency, worst.Round(time.Microsecond), budget)
	}
	return fmt.Sprintf("self-test passed: %d test vectors, slowest %s", len(res), worst.Round(time.Microsecond)), nil
}
