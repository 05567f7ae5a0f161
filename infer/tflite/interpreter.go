package tflite

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

// execCtx is what kernels see while running: every tensor's bytes and the
// shared working memory.
type execCtx struct {
	bufs    [][]byte
	pool    *kernels.Pool
	scratch *kernels.Scratch
	acc     []int32
	accf    []float32
}

// buf returns tensor i's bytes, or nil for an omitted optional tensor.
func (x *execCtx) buf(i int) []byte {
	if i < 0 {
		return nil
	}
	return x.bufs[i]
}

// Interpreter runs a Model. It is not safe for concurrent use.
type Interpreter struct {
	m       *Model
	arena   []uint64 // 8-byte aligned backing of all non-constant tensors
	x       execCtx
	inputs  []*infer.Tensor
	outputs []*infer.Tensor
	kept    []*infer.Tensor // InterpreterOptions.Keep, in their own memory
	pool    *kernels.Pool
	cleanup runtime.Cleanup
}

// NewInterpreter allocates the arena and scratch memory for one
// interpreter. With opts.Threads > 1 it starts a worker pool; call Close to
// stop it.
func (m *Model) NewInterpreter(opts infer.InterpreterOptions) (infer.Interpreter, error) {
	return m.NewGoInterpreter(opts)
}

// NewGoInterpreter is NewInterpreter returning the concrete type.
func (m *Model) NewGoInterpreter(opts infer.InterpreterOptions) (*Interpreter, error) {
	keep, err := m.keepIndices(opts.Keep)
	if err != nil {
		return nil, fmt.Errorf("tflite.NewInterpreter: %w", err)
	}
	workers := max(opts.Threads, 1)
	it := &Interpreter{m: m}
	it.arena = make([]uint64, (m.arena+7)/8)
	arena := asBytes(it.arena)
	it.x.bufs = make([][]byte, len(m.tensors))
	for i := range m.tensors {
		t := &m.tensors[i]
		switch {
		case t.isConst():
			it.x.bufs[i] = t.konst
		case t.offset >= 0:
			it.x.bufs[i] = arena[t.offset : t.offset+t.bytes : t.offset+t.bytes]
		}
	}
	// A kept tensor gets memory outside the arena, so no later operator's
	// output planned into the same arena bytes can overwrite it. Kernels
	// find every tensor through bufs, so they write it there directly.
	for _, i := range keep {
		it.x.bufs[i] = asBytes(make([]uint64, (m.tensors[i].bytes+7)/8))[:m.tensors[i].bytes:m.tensors[i].bytes]
		it.kept = append(it.kept, &infer.Tensor{TensorInfo: m.tensors[i].info(), Data: it.x.bufs[i]})
	}
	scratch, acc := 0, 0
	for _, op := range m.ops {
		if s, ok := op.k.(interface{ scratch(int) int }); ok {
			scratch = max(scratch, s.scratch(workers))
		}
		acc = max(acc, op.accInts)
	}
	it.x.scratch = kernels.NewScratch(scratch)
	it.x.acc = make([]int32, acc)
	it.x.accf = make([]float32, acc)
	if workers > 1 {
		it.pool = kernels.NewPool(workers)
		it.x.pool = it.pool
		it.cleanup = runtime.AddCleanup(it, func(p *kernels.Pool) { p.Close() }, it.pool)
	}
	for _, ti := range m.inputs {
		it.inputs = append(it.inputs, &infer.Tensor{TensorInfo: m.tensors[ti].info(), Data: it.x.bufs[ti]})
	}
	for _, ti := range m.outputs {
		it.outputs = append(it.outputs, &infer.Tensor{TensorInfo: m.tensors[ti].info(), Data: it.x.bufs[ti]})
	}
	return it, nil
}

// Inputs returns the graph inputs; writing their Data sets the next
// Invoke's input.
func (it *Interpreter) Inputs() []*infer.Tensor { return it.inputs }

// Outputs returns the graph outputs, valid until the next Invoke.
func (it *Interpreter) Outputs() []*infer.Tensor { return it.outputs }

// Tensor returns a graph input or output or a tensor named in
// InterpreterOptions.Keep, valid until the next Invoke. It allocates
// nothing.
func (it *Interpreter) Tensor(name string) (*infer.Tensor, bool) {
	for _, list := range [...][]*infer.Tensor{it.kept, it.outputs, it.inputs} {
		for _, t := range list {
			if t.Name == name {
				return t, true
			}
		}
	}
	return nil, false
}

// keepIndices resolves InterpreterOptions.Keep to tensor indices: each name
// must be a tensor that an operator writes.
func (m *Model) keepIndices(names []string) ([]int, error) {
	var idx []int
	for _, name := range names {
		found := -1
		for i := range m.tensors {
			if m.tensors[i].name == name {
				found = i
				break
			}
		}
		switch {
		case found < 0:
			return nil, fmt.Errorf("keep tensor %q: the model has no tensor of that name", name)
		case m.tensors[found].isConst() || !m.tensors[found].used || m.tensors[found].offset < 0:
			return nil, fmt.Errorf("keep tensor %q: it is a constant or never computed; name an operator's output", name)
		}
		if !slices.Contains(idx, found) {
			idx = append(idx, found)
		}
	}
	return idx, nil
}

// Invoke runs every operator once. It checks ctx between operators and
// allocates nothing.
func (it *Interpreter) Invoke(ctx context.Context) error {
	it.pool.Hold() // the pool's helpers stay awake between operators
	defer it.pool.Release()
	for i := range it.m.ops {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("tflite.Invoke: operator %d: %w", i, err)
		}
		it.m.ops[i].k.run(&it.x)
	}
	return nil
}

// InvokeProfiled is Invoke that adds each operator's wall time to
// perOp[i] (len(perOp) must be the operator count, see OpNames).
func (it *Interpreter) InvokeProfiled(ctx context.Context, perOp []time.Duration) error {
	if len(perOp) != len(it.m.ops) {
		return fmt.Errorf("tflite.InvokeProfiled: %d slots for %d operators", len(perOp), len(it.m.ops))
	}
	it.pool.Hold()
	defer it.pool.Release()
	for i := range it.m.ops {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("tflite.InvokeProfiled: operator %d: %w", i, err)
		}
		start := time.Now()
		it.m.ops[i].k.run(&it.x)
		perOp[i] += time.Since(start)
	}
	return nil
}

// OpNames lists the builtin name of every operator in execution order.
func (m *Model) OpNames() []string {
	names := make([]string, len(m.ops))
	for i, op := range m.ops {
		names[i] = op.name
	}
	return names
}

// Close stops the worker pool, if any. The interpreter must not be used
// afterwards.
func (it *Interpreter) Close() error {
	if it.pool != nil {
		it.cleanup.Stop()
		it.pool.Close()
		it.pool, it.x.pool = nil, nil
	}
	return nil
}

// tensorBytes returns the current bytes of any tensor (for layer tests).
func (it *Interpreter) tensorBytes(i int) []byte { return it.x.bufs[i] }

func asBytes(w []uint64) []byte {
	if len(w) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)
}
