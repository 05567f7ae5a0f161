package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fovea-edge/fovea/agent/config"
)

// shapesAgent is an agent on the repo's demo model with a synthetic
// camera of count frames that waits rather than drops when the queue is
// full, so every frame becomes a result.
func shapesAgent(t *testing.T, count, workers int, opts Options) *Agent {
	t.Helper()
	if _, err := os.Stat(demoModel); err != nil {
		t.Skipf("skipping: the demo model %s is not in this checkout (make models): %v", demoModel, err)
	}
	y := fmt.Sprintf(`
version: 1
device_id: swap-test
data_dir: %q
cameras:
  - {id: cam, uri: "synthetic:seed=5&size=64&count=%d", on_full: wait}
model:
  path: %q
pipeline: {queue_size: 4, workers: %d}
http: {listen: "off"}
`, filepath.Join(t.TempDir(), "state"), count, demoModel, workers)
	cfg, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatalf("config.Parse = %v\n%s", err, y)
	}
	a, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return a
}

// TestActivateBetweenFrames swaps the model while two workers classify:
// no frame is lost, every result names the model that made it, and once a
// worker has moved to the new model it never goes back.
func TestActivateBetweenFrames(t *testing.T) {
	const frames, swapAt = 300, 100
	var (
		mu      sync.Mutex
		byModel = map[string]int{}
		a       *Agent
		next    *LoadedModel
		swapErr error
	)
	onResult := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		byModel[r.Record.Model.Version]++
		if r.OutboxSeq == swapAt {
			_, swapErr = a.Models().Activate(next)
		}
	}
	a = shapesAgent(t, frames, 2, Options{OnResult: onResult})
	first := a.Models().Active()
	var err error
	next, err = a.Models().Load(demoModel, "", ModelRef{Version: "2.0.0"})
	if err != nil {
		t.Fatalf("Load = %v", err)
	}
	if next.Ref.Name != first.Ref.Name || next.Ref.SHA256 != first.Ref.SHA256 {
		t.Errorf("Load filled ref %+v; want name and sha256 from the model (%+v)", next.Ref, first.Ref)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if swapErr != nil {
		t.Fatalf("Activate = %v", swapErr)
	}
	st := a.Status()
	if st.Results != frames || st.Cameras[0].Dropped != 0 {
		t.Errorf("results = %d, dropped = %d; want %d and 0: a swap must not lose frames", st.Results, st.Cameras[0].Dropped, frames)
	}
	v1 := first.Ref.Version
	if byModel[v1] < swapAt || byModel["2.0.0"] == 0 || byModel[v1]+byModel["2.0.0"] != frames {
		t.Errorf("results by model version = %v; want ≥ %d from the first model, the rest from 2.0.0", byModel, swapAt)
	}
	if got := st.Model.Version; got != "2.0.0" {
		t.Errorf("status model version = %q; want the activated 2.0.0", got)
	}
}

// TestShadow runs a candidate beside the active model: it sees every
// frame, its results are not stored, and ClearShadow stops it.
func TestShadow(t *testing.T) {
	const frames = 120
	var (
		mu      sync.Mutex
		shadows int
		agree   int
		a       *Agent
	)
	cand := func() *LoadedModel {
		m, err := a.Models().Load(demoModel, "", ModelRef{Version: "cand"})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a = shapesAgent(t, frames, 1, Options{})
	err := a.Models().SetShadow(cand(), func(r ShadowResult) {
		mu.Lock()
		defer mu.Unlock()
		shadows++
		if r.Err == nil && len(r.Shadow.Top) > 0 && r.Shadow.Top[0].Index == r.Active.Top[0].Index {
			agree++
		}
		if shadows == frames/2 {
			a.Models().ClearShadow() // takes effect before the worker's next frame
		}
	})
	if err != nil {
		t.Fatalf("SetShadow = %v", err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if st := a.Status(); st.Results != frames {
		t.Errorf("results %d; want %d: shadow results must not be stored", st.Results, frames)
	}
	if shadows != frames/2 {
		t.Errorf("shadow ran on %d frames; want %d: ClearShadow must take effect before the next frame", shadows, frames/2)
	}
	if agree != shadows {
		t.Errorf("the same model in shadow agreed on %d of %d frames; want all", agree, shadows)
	}
}

// TestObserver sees every durable result with its frame and model.
func TestObserver(t *testing.T) {
	const frames = 40
	var (
		mu   sync.Mutex
		seen = map[uint64]bool{}
		bad  []string
	)
	obs := ObserverFunc(func(o *Observation) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case o.Err != nil:
			bad = append(bad, o.Err.Error())
		case o.Frame == nil || len(o.Pred.Top) == 0 || o.Model.SHA256 == "" || o.Truth == "" || o.Seq == 0:
			bad = append(bad, fmt.Sprintf("incomplete observation %+v", *o))
		case seen[o.Seq]:
			bad = append(bad, fmt.Sprintf("seq %d observed twice", o.Seq))
		}
		seen[o.Seq] = true
	})
	a := shapesAgent(t, frames, 2, Options{Observers: []Observer{obs}})
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if len(seen) != frames || len(bad) > 0 {
		t.Errorf("observed %d results (want %d); problems: %v", len(seen), frames, bad)
	}
}

// TestLoadRefusesOtherInput: a model whose input differs from the active
// one cannot be loaded for activation.
func TestLoadRefusesOtherInput(t *testing.T) {
	a := shapesAgent(t, 1, 1, Options{})
	other, _ := smallModel(t) // a 128×128 ImageNet model; skips without ../shared
	if _, err := a.Models().Load(other, "", ModelRef{}); !errors.Is(err, ErrModelInput) {
		t.Errorf("Load(%s) = %v; want ErrModelInput", other, err)
	}
	if _, err := a.Models().Load(filepath.Join(t.TempDir(), "missing.tflite"), "", ModelRef{}); err == nil {
		t.Error("Load of a missing file = nil error")
	}
}
