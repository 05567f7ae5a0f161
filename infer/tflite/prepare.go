package tflite

import (
	"errors"
	"fmt"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// kernel is one prepared operator. run reads and writes tensors through x
// and must not allocate.
type kernel interface {
	run(x *execCtx)
}

// opPlan is one prepared operator of the execution plan.
type opPlan struct {
	name    string
	inputs  []int
	outputs []int
	k       kernel
	macs    int64
	// accInts is how many int32 (and float32) accumulators the op needs.
	accInts int
}

// prep is the state of preparing a model.
type prep struct {
	m      *schema.Model
	sg     *schema.Subgraph
	t      []tensorPlan
	ops    []opPlan
	index  int // operator being prepared
	op     *schema.Operator
	opName string
	// For Unsupported: operators to pass over, and where to record
	// refusals instead of stopping at the first.
	skip    map[int]bool
	collect *[]Problem
}

// opError reports a problem with the operator being prepared.
func (p *prep) errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("operator %d (%s): %w: %s", p.index, p.opName, kind, fmt.Sprintf(format, args...))
}

func (p *prep) bad(format string, args ...any) error {
	return p.errorf(infer.ErrMalformed, format, args...)
}

func (p *prep) unsupported(format string, args ...any) error {
	return p.errorf(infer.ErrUnsupported, format, args...)
}

// input returns operator input i, which must be present and have a known
// shape.
func (p *prep) input(i int) (int, *tensorPlan, error) {
	if i >= len(p.op.Inputs) || p.op.Inputs[i] < 0 {
		return -1, nil, p.bad("input %d is missing", i)
	}
	ti := int(p.op.Inputs[i])
	t := &p.t[ti]
	if !t.known {
		return -1, nil, p.bad("input %d (tensor %d %q) is read before any operator writes it", i, ti, t.name)
	}
	return ti, t, nil
}

// optInput returns optional input i, or -1 when absent.
func (p *prep) optInput(i int) (int, *tensorPlan, error) {
	if i >= len(p.op.Inputs) || p.op.Inputs[i] < 0 {
		return -1, nil, nil
	}
	return p.input(i)
}

// output sets the shape of operator output i, checking it against the
// shape the model declares.
func (p *prep) output(i int, dtype infer.DType, shape []int) (int, *tensorPlan, error) {
	if i >= len(p.op.Outputs) || p.op.Outputs[i] < 0 {
		return -1, nil, p.bad("output %d is missing", i)
	}
	ti := int(p.op.Outputs[i])
	t := &p.t[ti]
	if t.isConst() {
		return -1, nil, p.bad("output %d (tensor %d %q) is a constant", i, ti, t.name)
	}
	if t.known {
		return -1, nil, p.bad("output %d (tensor %d %q) is written twice (a graph input or an earlier operator's output)", i, ti, t.name)
	}
	if t.dtype != dtype || dtype.Size() == 0 {
		return -1, nil, p.unsupported("output %d (tensor %d %q) is %s, want %s", i, ti, t.name, t.dtype, dtype)
	}
	declared := p.sg.Tensors[ti].Shape
	if len(declared) > 0 || len(shape) == 0 {
		d := make([]int, len(declared))
		for j, v := range declared {
			d[j] = int(v)
		}
		if !equalShape(d, shape) {
			return -1, nil, p.bad("output %d (tensor %d %q) is declared %s but the operator produces %s", i, ti, t.name, shapeString(d), shapeString(shape))
		}
	}
	n, ok := numElements(shape)
	if !ok || n > maxTensorBytes/dtype.Size() {
		return -1, nil, p.bad("output %d shape %s is too large", i, shapeString(shape))
	}
	t.shape = shape
	t.bytes = n * dtype.Size()
	t.known = true
	return ti, t, nil
}

// needQuant checks that a tensor has per-tensor quantization.
func (p *prep) needQuant(t *tensorPlan, what string) error {
	if t.quant == nil || len(t.quant.Scale) == 0 {
		return p.unsupported("%s tensor %q is %s without quantization parameters", what, t.name, t.dtype)
	}
	if !(t.scale > 0) {
		return p.bad("%s tensor %q has scale %g; it must be positive", what, t.name, t.scale)
	}
	return nil
}

// constInts reads a constant int32 (or int64) tensor.
func (p *prep) constInts(t *tensorPlan, what string) ([]int, error) {
	if !t.isConst() {
		return nil, p.unsupported("%s tensor %q is computed at run time; only constant %s is supported", what, t.name, what)
	}
	var out []int
	switch t.dtype {
	case infer.Int32:
		for _, v := range asI32(t.konst) {
			out = append(out, int(v))
		}
	case infer.Int64:
		b := t.konst
		for i := 0; i+8 <= len(b); i += 8 {
			v := int64(b[i]) | int64(b[i+1])<<8 | int64(b[i+2])<<16 | int64(b[i+3])<<24 |
				int64(b[i+4])<<32 | int64(b[i+5])<<40 | int64(b[i+6])<<48 | int64(b[i+7])<<56
			if v > 1<<31 || v < -(1<<31) {
				return nil, p.bad("%s value %d is out of range", what, v)
			}
			out = append(out, int(v))
		}
	default:
		return nil, p.unsupported("%s tensor %q is %s; want int32", what, t.name, t.dtype)
	}
	return out, nil
}

func actOf(a schema.Activation) (kernels.Activation, bool) {
	switch a {
	case schema.ActNone, schema.ActRelu, schema.ActRelu6, schema.ActReluN1To1:
		return kernels.Activation(a), true
	}
	return 0, false
}

func (p *prep) activation(a schema.Activation) (kernels.Activation, error) {
	k, ok := actOf(a)
	if !ok {
		return 0, p.unsupported("fused activation %d (TANH/SIGN_BIT) is not supported", a)
	}
	return k, nil
}

// quantRange returns the fused activation range of a quantized output.
func quantRange(a kernels.Activation, out *tensorPlan) (int32, int32) {
	lo, hi := limits8(out.dtype)
	return kernels.QuantActivationRange(a, out.scale, out.zp, lo, hi)
}

var (
	// errNoOptions reports an operator without its builtin options; the
	// caller decides whether defaults apply.
	errNoOptions = errors.New("options missing")
)

// options returns the op's options as *T, or an error naming what is
// wrong when the model carries other options.
func options[T any](p *prep) (*T, error) {
	switch o := p.op.Options.(type) {
	case *T:
		return o, nil
	case T:
		return &o, nil
	case nil:
		return nil, errNoOptions
	}
	return nil, p.bad("options are %T, want %T", p.op.Options, *new(T))
}

func is8bit(d infer.DType) bool { return d == infer.UInt8 || d == infer.Int8 }

// dataAndConstInts reads the pattern of the layout ops (TRANSPOSE,
// BROADCAST_TO, …): input 0 is the data, of any type; input 1 is a
// constant int tensor (what names it in errors).
func (p *prep) dataAndConstInts(what string) (int, *tensorPlan, []int, error) {
	iin, in, err := p.input(0)
	if err != nil {
		return -1, nil, nil, err
	}
	if err := p.anyDType(in, "input"); err != nil {
		return -1, nil, nil, err
	}
	_, t, err := p.input(1)
	if err != nil {
		return -1, nil, nil, err
	}
	vals, err := p.constInts(t, what)
	if err != nil {
		return -1, nil, nil, err
	}
	return iin, in, vals, nil
}
