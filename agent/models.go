package agent

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/infer"
)

// ModelRef names the model that produced a result; every record carries
// it (JSON: name, version, sha256).
type ModelRef = record.Model

// LoadedModel is a model ready to be activated or shadowed.
type LoadedModel struct {
	Ref    ModelRef
	Model  infer.Model
	Info   infer.ModelInfo
	Labels []string // from the labels file; nil means the embedded labels
	Path   string
	// Keep names the intermediate tensor the monitor reads (its embedding
	// test), when this model has it; nil otherwise.
	Keep []string
}

// ShadowResult is one frame classified by both the active model and a
// shadow candidate. Shadow results are never stored or published as
// results.
type ShadowResult struct {
	Camera                       string
	Active, Shadow               infer.Prediction
	ActiveLatency, ShadowLatency time.Duration
	Err                          error  // the shadow model's classification error, if any
	Truth                        string // the frame's truth label, "" when unknown
}

// ModelHolder owns the model every worker classifies with, and an optional
// shadow candidate that runs on the same frames. Activate and SetShadow
// take effect between frames: each worker finishes the frame in hand with
// the classifier it had, then picks up the new one before its next frame,
// so no frame is dropped and every result names the model that made it.
type ModelHolder struct {
	workers int
	engine  string
	copts   infer.ClassifierOptions // resize and threads; labels per model
	keep    []string                // tensors to keep when a model has them (set before the first Load)

	mu  sync.Mutex  // guards cur
	cur *generation // the generation workers move to
	gen atomic.Pointer[generation]
}

// generation is one set of models with their per-worker classifiers.
// Workers hold a reference while they use it; its classifiers are closed
// once it has been replaced and every worker has let go.
type generation struct {
	active   *LoadedModel
	clfs     []*infer.Classifier // one per worker
	shadow   *LoadedModel
	sclfs    []*infer.Classifier
	shadowFn func(ShadowResult)

	refs    int  // guarded by the holder's mu
	retired bool // guarded by the holder's mu
	closed  bool // guarded by the holder's mu
	// movedActive and movedShadow mark classifiers handed on to the next
	// generation, which closes them. The slices themselves stay: a worker
	// may still be reading them. Guarded by the holder's mu.
	movedActive, movedShadow bool
}

// ErrModelInput is returned by Load for a model whose input does not match
// the active model's (size, layout or type), which the cameras' frames
// and the configuration were set up for.
var ErrModelInput = errors.New("model input does not match the active model")

// ErrLabels is returned by Load when the labels file cannot be read.
var ErrLabels = errors.New("labels file unreadable")

// newModelHolder loads nothing: Activate sets the first model.
func newModelHolder(workers int, engine string, copts infer.ClassifierOptions) *ModelHolder {
	return &ModelHolder{workers: workers, engine: engine, copts: copts}
}

// Load opens a model file and its labels (labelsPath "" uses the embedded
// labels) and checks that it classifies images; when a model is active,
// its first input must have the same shape and type. ref names it in
// results: empty fields are filled from the model's metadata and hash.
func (h *ModelHolder) Load(path, labelsPath string, ref ModelRef) (*LoadedModel, error) {
	m, err := infer.Open(path, infer.LoadOptions{Engine: h.engine})
	if err != nil {
		return nil, fmt.Errorf("agent.Load: %w", err)
	}
	lm := &LoadedModel{Model: m, Info: m.Info(), Path: path, Ref: ref}
	if labelsPath != "" {
		if lm.Labels, err = infer.ReadLabels(labelsPath); err != nil {
			return nil, fmt.Errorf("agent.Load: %w: %w", ErrLabels, err)
		}
	}
	if lm.Ref.Name == "" {
		lm.Ref.Name = lm.Info.Name
	}
	if lm.Ref.Version == "" {
		lm.Ref.Version = lm.Info.Version
	}
	if lm.Ref.SHA256 == "" {
		lm.Ref.SHA256 = lm.Info.SHA256
	}
	lm.Keep = h.keep
	c, err := infer.NewClassifier(m, h.optsFor(lm))
	if err != nil && lm.Keep != nil {
		// The monitor's tensor is optional: a model without it runs
		// without the embedding test.
		lm.Keep = nil
		c, err = infer.NewClassifier(m, h.optsFor(lm))
	}
	if err != nil {
		return nil, fmt.Errorf("agent.Load: %s cannot classify images: %w", path, err)
	}
	c.Close()
	if cur := h.Active(); cur != nil {
		if err := sameInput(cur.Info, lm.Info); err != nil {
			return nil, fmt.Errorf("agent.Load: %s: %w", path, err)
		}
	}
	return lm, nil
}

func sameInput(a, b infer.ModelInfo) error {
	if len(a.Inputs) == 0 || len(b.Inputs) == 0 {
		return ErrModelInput
	}
	x, y := a.Inputs[0], b.Inputs[0]
	if !slices.Equal(x.Shape, y.Shape) || x.Type != y.Type {
		return fmt.Errorf("%w: input %v %v; the active model takes %v %v", ErrModelInput, y.Shape, y.Type, x.Shape, x.Type)
	}
	return nil
}

func (h *ModelHolder) optsFor(m *LoadedModel) infer.ClassifierOptions {
	o := h.copts
	o.Keep = m.Keep
	o.Labels = m.Labels
	return o
}

// classifiers makes one classifier per worker for m.
func (h *ModelHolder) classifiers(m *LoadedModel) ([]*infer.Classifier, error) {
	clfs := make([]*infer.Classifier, 0, h.workers)
	for range h.workers {
		c, err := infer.NewClassifier(m.Model, h.optsFor(m))
		if err != nil {
			closeAll(clfs)
			return nil, err
		}
		clfs = append(clfs, c)
	}
	return clfs, nil
}

func closeAll(clfs []*infer.Classifier) {
	for _, c := range clfs {
		c.Close()
	}
}

// Active returns the active model, nil before the first Activate.
func (h *ModelHolder) Active() *LoadedModel {
	if g := h.gen.Load(); g != nil {
		return g.active
	}
	return nil
}

// Shadow returns the shadow candidate, nil when none runs.
func (h *ModelHolder) Shadow() *LoadedModel {
	if g := h.gen.Load(); g != nil {
		return g.shadow
	}
	return nil
}

// Activate makes m the model every worker uses from its next frame on and
// returns the previous one (nil for the first). A shadow candidate keeps
// running unless it is m itself, which leaves shadow mode. The classifiers
// are prepared before the swap: on error nothing changes.
func (h *ModelHolder) Activate(m *LoadedModel) (prev *LoadedModel, err error) {
	clfs, err := h.classifiers(m)
	if err != nil {
		return nil, fmt.Errorf("agent.Activate: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	next := &generation{active: m, clfs: clfs}
	if old := h.cur; old != nil {
		prev = old.active
		if old.shadow != nil && old.shadow != m {
			// The shadow keeps its classifiers: they move to next.
			next.shadow, next.sclfs, next.shadowFn = old.shadow, old.sclfs, old.shadowFn
			old.movedShadow = true
		}
	}
	h.install(next)
	return prev, nil
}

// SetShadow runs m beside the active model on every frame and hands each
// pair of predictions to fn (on the worker's goroutine: fn must be quick).
// It replaces a previous shadow.
func (h *ModelHolder) SetShadow(m *LoadedModel, fn func(ShadowResult)) error {
	sclfs, err := h.classifiers(m)
	if err != nil {
		return fmt.Errorf("agent.SetShadow: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur == nil {
		closeAll(sclfs)
		return errors.New("agent.SetShadow: no active model")
	}
	next := &generation{active: h.cur.active, shadow: m, sclfs: sclfs, shadowFn: fn}
	next.clfs, h.cur.movedActive = h.cur.clfs, true // the active classifiers move on
	h.install(next)
	return nil
}

// ClearShadow stops the shadow candidate, if any.
func (h *ModelHolder) ClearShadow() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur == nil || h.cur.shadow == nil {
		return
	}
	next := &generation{active: h.cur.active}
	next.clfs, h.cur.movedActive = h.cur.clfs, true
	h.install(next)
}

// install makes g current and retires the previous generation. Called
// with mu held.
func (h *ModelHolder) install(g *generation) {
	if old := h.cur; old != nil {
		old.retired = true
		h.maybeClose(old)
	}
	h.cur = g
	h.gen.Store(g)
}

// maybeClose closes a retired generation's classifiers once no worker
// holds it. Called with mu held.
func (h *ModelHolder) maybeClose(g *generation) {
	if g.retired && g.refs == 0 && !g.closed {
		g.closed = true
		if !g.movedActive {
			closeAll(g.clfs)
		}
		if !g.movedShadow {
			closeAll(g.sclfs)
		}
	}
}

// acquire returns the current generation, referenced for the caller, and
// releases held (which may be nil).
func (h *ModelHolder) acquire(held *generation) *generation {
	h.mu.Lock()
	defer h.mu.Unlock()
	if held != nil {
		held.refs--
		h.maybeClose(held)
	}
	g := h.cur
	if g != nil {
		g.refs++
	}
	return g
}

// close retires the current generation: call it after every worker has
// released its reference (Run's end).
func (h *ModelHolder) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur != nil {
		h.cur.retired = true
		h.maybeClose(h.cur)
	}
}

// workerModels is one worker's view of the holder.
type workerModels struct {
	h *ModelHolder
	i int // worker index: its classifier in each generation
	g *generation
}

// current returns the generation to classify the next frame with,
// switching when the holder changed since the last frame.
func (w *workerModels) current() *generation {
	if w.g == nil || w.g != w.h.gen.Load() {
		w.g = w.h.acquire(w.g)
	}
	return w.g
}

// release lets go of the held generation.
func (w *workerModels) release() {
	if w.g != nil {
		w.h.mu.Lock()
		w.g.refs--
		w.h.maybeClose(w.g)
		w.h.mu.Unlock()
		w.g = nil
	}
}
