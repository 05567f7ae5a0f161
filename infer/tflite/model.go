// Package tflite is Fovea's pure-Go TensorFlow Lite interpreter, registered
// as the "go" inference engine. It executes subgraph 0 of a .tflite model
// with kernels that reproduce TFLite's built-in integer arithmetic byte for
// byte (see docs/interpreter.md for the operators and the rounding facts).
//
// Loading parses and validates the model, checks every operator, infers
// every shape and plans all tensor memory; NewInterpreter then allocates one
// arena and Invoke allocates nothing.
package tflite

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

func init() { infer.Register(infer.DefaultEngine, engine{}) }

type engine struct{}

func (engine) Load(data []byte, opts infer.LoadOptions) (infer.Model, error) {
	return Load(data, opts)
}

// Model is a loaded, prepared model. It is safe for concurrent use.
type Model struct {
	info    infer.ModelInfo
	tensors []tensorPlan
	ops     []opPlan
	inputs  []int
	outputs []int
	arena   int
}

// Load parses data as a .tflite model and prepares it. Errors wrap
// infer.ErrMalformed or infer.ErrUnsupported and name the operator or
// tensor at fault.
func Load(data []byte, opts infer.LoadOptions) (*Model, error) {
	// A forced kernel path this CPU cannot run is refused rather than
	// silently replaced (kernels.EnvKernels).
	if err := kernels.EnvError(); err != nil {
		return nil, fmt.Errorf("tflite.Load: %w", err)
	}
	sm, err := schema.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("tflite.Load: %w", err)
	}
	if err := schema.Validate(sm); err != nil {
		return nil, fmt.Errorf("tflite.Load: %w", err)
	}
	m, err := FromSchema(sm, opts)
	if err != nil {
		return nil, fmt.Errorf("tflite.Load: %w", err)
	}
	DescribeFile(&m.info, data, sm, opts)
	return m, nil
}

// DescribeFile fills what a model file says about itself into info: its
// sha256, embedded labels, and the metadata's name (unless opts names the
// model), version, description and input normalization. Metadata and
// labels are informational: a model whose metadata is damaged still runs,
// without them. The tflite_c engine describes its models with it too.
func DescribeFile(info *infer.ModelInfo, data []byte, sm *schema.Model, opts infer.LoadOptions) {
	info.SHA256 = infer.SHA256(data)
	if labels, err := schema.Labels(data, sm); err == nil {
		info.Labels = labels
	}
	if md, err := schema.ReadMetadata(sm, data); err == nil && md != nil {
		if opts.Name == "" && md.Name != "" {
			info.Name = md.Name
		}
		info.Version = md.Version
		if md.Description != "" {
			info.Description = md.Description
		}
		info.Mean, info.Std = md.Normalization()
	}
}

// FromSchema prepares an already parsed model: semantic checks, shape
// inference and memory planning.
func FromSchema(sm *schema.Model, opts infer.LoadOptions) (*Model, error) {
	if len(sm.Subgraphs) == 0 {
		return nil, fmt.Errorf("%w: model has no subgraph", infer.ErrMalformed)
	}
	if err := checkOps(sm); err != nil {
		return nil, err
	}
	p := &prep{m: sm, sg: &sm.Subgraphs[0]}
	if err := p.initTensors(); err != nil {
		return nil, err
	}
	if err := p.prepareOps(); err != nil {
		return nil, err
	}
	m := &Model{tensors: p.t, ops: p.ops}
	for _, i := range p.sg.Inputs {
		m.inputs = append(m.inputs, int(i))
	}
	for _, i := range p.sg.Outputs {
		if i < 0 || int(i) >= len(p.t) || !p.t[i].known {
			return nil, fmt.Errorf("%w: graph output tensor %d is never written", infer.ErrMalformed, i)
		}
		m.outputs = append(m.outputs, int(i))
	}
	m.arena = planArena(m)
	acc := 0
	for _, op := range m.ops {
		acc = max(acc, op.accInts)
	}
	if need := int64(m.arena) + 8*int64(acc); need > maxInterpreterBytes {
		return nil, fmt.Errorf("%w: the model needs %d MiB of tensor memory; Fovea's limit is %d MiB", infer.ErrUnsupported, need>>20, maxInterpreterBytes>>20)
	}
	m.info = m.buildInfo(sm, opts)
	return m, nil
}

// checkOps refuses, before any other work, models with operators Fovea does
// not execute, naming every one (see unsupportedOps).
func checkOps(sm *schema.Model) error {
	probs, err := unsupportedOps(sm)
	if err != nil {
		return err
	}
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", infer.ErrUnsupported, summarize(probs))
}

func customOpMessage(code string) string {
	switch code {
	case "edgetpu-custom-op":
		return fmt.Sprintf("model uses custom op %q: it needs the Edge TPU runtime", code)
	case "ethos-u":
		return fmt.Sprintf("model uses custom op %q: it needs an Arm Ethos-U NPU and its driver", code)
	}
	return fmt.Sprintf("model uses custom op %q, which Fovea does not implement", code)
}

// maxInterpreterBytes caps the memory one interpreter may allocate for
// tensors (the arena and accumulators): a hostile model cannot make us
// allocate more.
const maxInterpreterBytes = 1 << 30

type prepFunc func(p *prep) (kernel, int64, error)

var preparers = map[schema.BuiltinOperator]prepFunc{
	schema.OpConv2D:          func(p *prep) (kernel, int64, error) { return p.prepConv(false) },
	schema.OpDepthwiseConv2D: func(p *prep) (kernel, int64, error) { return p.prepConv(true) },
	schema.OpFullyConnected:  (*prep).prepFullyConnected,
	schema.OpAveragePool2D:   func(p *prep) (kernel, int64, error) { return p.prepPool(true) },
	schema.OpMaxPool2D:       func(p *prep) (kernel, int64, error) { return p.prepPool(false) },
	schema.OpAdd:             func(p *prep) (kernel, int64, error) { return p.prepBinary(false) },
	schema.OpMul:             func(p *prep) (kernel, int64, error) { return p.prepBinary(true) },
	schema.OpRelu:            func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpRelu) },
	schema.OpRelu6:           func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpRelu6) },
	schema.OpLogistic:        func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpLogistic) },
	schema.OpHardSwish:       func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpHardSwish) },
	schema.OpSoftmax:         func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpSoftmax) },
	schema.OpQuantize:        func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpQuantize) },
	schema.OpDequantize:      func(p *prep) (kernel, int64, error) { return p.prepUnary(schema.OpDequantize) },
	schema.OpReshape:         (*prep).prepReshape,
	schema.OpSqueeze:         (*prep).prepSqueeze,
	schema.OpTranspose:       (*prep).prepTranspose,
	schema.OpPad:             (*prep).prepPad,
	schema.OpConcatenation:   (*prep).prepConcat,
	schema.OpMean:            (*prep).prepMean,
}

// initTensors converts the schema tensors: dtypes, declared shapes of graph
// inputs and constants, quantization, constant data.
func (p *prep) initTensors() error {
	sg := p.sg
	p.t = make([]tensorPlan, len(sg.Tensors))
	for i := range sg.Tensors {
		st := &sg.Tensors[i]
		t := &p.t[i]
		t.name, t.dtype, t.quant, t.offset = st.Name, dtypeOf(st.Type), st.Quant, -1
		if q := st.Quant; q != nil && len(q.Scale) > 0 {
			t.scale = q.Scale[0]
			if len(q.ZeroPoint) > 0 {
				if q.ZeroPoint[0] > 1<<16 || q.ZeroPoint[0] < -(1<<16) {
					return fmt.Errorf("%w: tensor %d %q has zero point %d", infer.ErrMalformed, i, st.Name, q.ZeroPoint[0])
				}
				t.zp = int32(q.ZeroPoint[0])
			}
		}
		if int(st.Buffer) >= len(p.m.Buffers) {
			return fmt.Errorf("%w: tensor %d %q uses buffer %d but the model has %d", infer.ErrMalformed, i, st.Name, st.Buffer, len(p.m.Buffers))
		}
		data := p.m.Buffers[st.Buffer]
		if st.Buffer == 0 || len(data) == 0 {
			continue
		}
		if err := p.setShape(i, st); err != nil {
			return err
		}
		if len(data) != t.bytes {
			return fmt.Errorf("%w: constant tensor %d %q is %s%s (%d bytes) but its buffer holds %d bytes", infer.ErrMalformed, i, st.Name, t.dtype, shapeString(t.shape), t.bytes, len(data))
		}
		if t.dtype.Size() > 1 && !aligned(data, uintptr(t.dtype.Size())) {
			data = copyAligned(data)
		}
		t.konst = data
	}
	for _, i := range sg.Inputs {
		if i < 0 || int(i) >= len(p.t) {
			return fmt.Errorf("%w: graph input %d is not a tensor", infer.ErrMalformed, i)
		}
		if p.t[i].isConst() {
			return fmt.Errorf("%w: graph input %d %q is a constant", infer.ErrMalformed, i, p.t[i].name)
		}
		if err := p.setShape(int(i), &sg.Tensors[i]); err != nil {
			return err
		}
		if p.t[i].dtype == infer.Unknown {
			return fmt.Errorf("%w: graph input %d %q has type %v", infer.ErrUnsupported, i, p.t[i].name, sg.Tensors[i].Type)
		}
	}
	return nil
}

// setShape takes the declared shape of a graph input or constant.
func (p *prep) setShape(i int, st *schema.Tensor) error {
	t := &p.t[i]
	if t.dtype == infer.Unknown || t.dtype.Size() == 0 {
		return fmt.Errorf("%w: tensor %d %q has type %v", infer.ErrUnsupported, i, t.name, st.Type)
	}
	shape := make([]int, len(st.Shape))
	for j, d := range st.Shape {
		shape[j] = int(d)
	}
	n, ok := numElements(shape)
	if !ok || n > maxTensorBytes/t.dtype.Size() {
		return fmt.Errorf("%w: tensor %d %q has shape %s: negative or too large", infer.ErrMalformed, i, t.name, shapeString(shape))
	}
	t.shape, t.bytes, t.known = shape, n*t.dtype.Size(), true
	return nil
}

func copyAligned(b []byte) []byte {
	w := make([]uint64, (len(b)+7)/8)
	out := asBytes(w)[:len(b)]
	copy(out, b)
	return out
}

// prepareOps prepares every operator in execution order.
func (p *prep) prepareOps() error {
	for i := range p.sg.Operators {
		p.index, p.op = i, &p.sg.Operators[i]
		oc := p.m.OperatorCodes[p.op.OpcodeIndex]
		p.opName = oc.Builtin.String()
		for _, ti := range append(append([]int32(nil), p.op.Inputs...), p.op.Outputs...) {
			if ti < -1 || int(ti) >= len(p.t) {
				return p.bad("tensor index %d out of range (%d tensors)", ti, len(p.t))
			}
		}
		p.ops = append(p.ops, opPlan{name: p.opName})
		if p.skip[i] {
			p.declareOutputs()
			continue
		}
		prepare := preparers[oc.Builtin]
		if f := p.int16Preparer(oc.Builtin); f != nil {
			prepare = f
		}
		k, macs, err := prepare(p)
		if err != nil && p.collect != nil && errors.Is(err, infer.ErrUnsupported) {
			reason := strings.TrimPrefix(err.Error(), fmt.Sprintf("operator %d (%s): ", i, p.opName))
			*p.collect = append(*p.collect, Problem{Index: i, Op: p.opName, Reason: reason})
			p.declareOutputs()
			continue
		}
		if err != nil {
			return err
		}
		op := &p.ops[len(p.ops)-1]
		op.k, op.macs = k, macs
		for _, ti := range p.op.Inputs {
			if ti >= 0 {
				op.inputs = append(op.inputs, int(ti))
			}
		}
		for _, ti := range p.op.Outputs {
			if ti >= 0 {
				op.outputs = append(op.outputs, int(ti))
			}
		}
	}
	return nil
}

// planArena assigns arena offsets to every non-constant tensor: greedy
// first-fit by size over lifetimes [first write, last read], 64-byte
// aligned. It returns the arena size.
func planArena(m *Model) int {
	n := len(m.ops)
	for i := range m.tensors {
		m.tensors[i].first, m.tensors[i].last = n, -1
	}
	for _, ti := range m.inputs {
		m.tensors[ti].first = -1
	}
	for oi, op := range m.ops {
		for _, ti := range op.outputs {
			t := &m.tensors[ti]
			t.first, t.used = min(t.first, oi), true
			t.last = max(t.last, oi)
		}
		for _, ti := range op.inputs {
			t := &m.tensors[ti]
			t.last, t.used = max(t.last, oi), true
		}
	}
	for _, ti := range m.inputs {
		m.tensors[ti].used = true
		m.tensors[ti].last = max(m.tensors[ti].last, -1)
	}
	for _, ti := range m.outputs {
		m.tensors[ti].last, m.tensors[ti].used = n, true
	}
	var order []int
	for i := range m.tensors {
		t := &m.tensors[i]
		if t.used && !t.isConst() && t.known {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return m.tensors[order[a]].bytes > m.tensors[order[b]].bytes })
	const align = 64
	type span struct{ off, end, first, last int }
	var placed []span
	total := 0
	for _, ti := range order {
		t := &m.tensors[ti]
		size := (t.bytes + align - 1) / align * align
		var conflicts []span
		for _, s := range placed {
			if s.first <= t.last && t.first <= s.last {
				conflicts = append(conflicts, s)
			}
		}
		sort.Slice(conflicts, func(a, b int) bool { return conflicts[a].off < conflicts[b].off })
		off := 0
		for _, s := range conflicts {
			if off+size <= s.off {
				break
			}
			off = max(off, s.end)
		}
		t.offset = off
		placed = append(placed, span{off, off + size, t.first, t.last})
		total = max(total, off+size)
	}
	return total
}

func (m *Model) buildInfo(sm *schema.Model, opts infer.LoadOptions) infer.ModelInfo {
	info := infer.ModelInfo{Name: opts.Name, Description: sm.Description, ArenaBytes: int64(m.arena)}
	for _, i := range m.inputs {
		info.Inputs = append(info.Inputs, m.tensors[i].info())
	}
	for _, i := range m.outputs {
		info.Outputs = append(info.Outputs, m.tensors[i].info())
	}
	counts := map[string]int{}
	var names []string
	for _, op := range m.ops {
		if counts[op.name] == 0 {
			names = append(names, op.name)
		}
		counts[op.name]++
		info.MACs += op.macs
	}
	sort.Strings(names)
	for _, n := range names {
		info.Ops = append(info.Ops, infer.OpCount{Op: n, Count: counts[n]})
	}
	return info
}

// Info describes the model.
func (m *Model) Info() infer.ModelInfo { return m.info }
