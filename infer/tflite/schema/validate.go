package schema

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxTensorBytes caps the bytes all tensors of a model may occupy together
// (every subgraph, constant or not). A small file can declare huge shapes;
// this keeps a hostile model from making the interpreter allocate more than
// an edge board has.
const MaxTensorBytes = 1 << 30

// maxErrors is how many problems Validate lists before summarising.
const maxErrors = 10

// Validate checks the structural rules an interpreter relies on, and
// reports every problem found (up to a limit) in one error:
//
//   - at least one subgraph; buffer 0 empty; every index (buffer, operator
//     code, tensor, subgraph) in range;
//   - known tensor types, non-negative shapes, and element counts whose
//     byte total over all tensors stays within MaxTensorBytes;
//   - constant tensors whose buffer holds exactly shape × element size
//     bytes, and that are neither graph inputs nor operator outputs (their
//     data aliases the file);
//   - quantization as TFLite checks it: as many zero points as scales,
//     quantized_dimension within the tensor's rank, and one scale or one
//     per channel along that dimension; scales finite and positive;
//   - operator options of the operator's own type, with strides, dilations
//     and pool filters of at least 1 and known padding and activations;
//   - no custom operators (Fovea implements none; Edge TPU and Ethos-U
//     models are named as such).
//
// Errors wrap infer.ErrMalformed, and infer.ErrUnsupported for custom
// operators.
func Validate(m *Model) error {
	if m == nil {
		return fmt.Errorf("schema.Validate: %w", malformed("nil model"))
	}
	errs := refErrors(m, maxErrors)
	if len(errs) == 0 {
		errs = semanticErrors(m, maxErrors)
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors], fmt.Errorf("(further problems not listed)"))
	}
	return fmt.Errorf("schema.Validate: %w", errors.Join(errs...))
}

// errList collects up to limit+1 errors.
type errList struct {
	errs  []error
	limit int
}

func (l *errList) add(err error) bool {
	l.errs = append(l.errs, err)
	return len(l.errs) <= l.limit
}

func tensorName(si, ti int, t *Tensor) string {
	s := "subgraph " + strconv.Itoa(si) + " tensor " + strconv.Itoa(ti)
	if t != nil && t.Name != "" {
		s += " " + strconv.Quote(t.Name)
	}
	return s
}

// refErrors checks that every index in m is in range, so that code walking
// the model cannot index out of bounds.
func refErrors(m *Model, limit int) []error {
	l := &errList{limit: limit}
	if len(m.Subgraphs) == 0 {
		l.add(malformed("model has no subgraphs"))
	}
	nb := len(m.Buffers)
	for si := range m.Subgraphs {
		sg := &m.Subgraphs[si]
		nt := len(sg.Tensors)
		for ti := range sg.Tensors {
			t := &sg.Tensors[ti]
			if int64(t.Buffer) >= int64(nb) && (t.Buffer != 0 || nb != 0) {
				if !l.add(malformed("%s: buffer index %d out of range (model has %d buffers)", tensorName(si, ti, t), t.Buffer, nb)) {
					return l.errs
				}
			}
		}
		checkIdx := func(what func() string, idx []int32, optional bool) bool {
			for k, x := range idx {
				if (x == -1 && optional) || (x >= 0 && int(x) < nt) {
					continue
				}
				if !l.add(malformed("subgraph %d %s %d: tensor index %d out of range (subgraph has %d tensors)", si, what(), k, x, nt)) {
					return false
				}
			}
			return true
		}
		if !checkIdx(func() string { return "input" }, sg.Inputs, false) || !checkIdx(func() string { return "output" }, sg.Outputs, false) {
			return l.errs
		}
		for oi := range sg.Operators {
			op := &sg.Operators[oi]
			if int64(op.OpcodeIndex) >= int64(len(m.OperatorCodes)) {
				if !l.add(malformed("subgraph %d operator %d: opcode index %d out of range (model has %d operator codes)", si, oi, op.OpcodeIndex, len(m.OperatorCodes))) {
					return l.errs
				}
				continue
			}
			what := func(kind string) func() string {
				return func() string {
					return fmt.Sprintf("operator %d (%s) %s", oi, m.OperatorCodes[op.OpcodeIndex].Name(), kind)
				}
			}
			if !checkIdx(what("input"), op.Inputs, true) || !checkIdx(what("output"), op.Outputs, false) {
				return l.errs
			}
		}
	}
	for i, md := range m.Metadata {
		if int64(md.Buffer) >= int64(nb) {
			if !l.add(malformed("metadata %d %q: buffer index %d out of range (model has %d buffers)", i, md.Name, md.Buffer, nb)) {
				return l.errs
			}
		}
	}
	for i, sd := range m.SignatureDefs {
		if int64(sd.SubgraphIndex) >= int64(len(m.Subgraphs)) {
			if !l.add(malformed("signature def %d %q: subgraph index %d out of range (model has %d subgraphs)", i, sd.Key, sd.SubgraphIndex, len(m.Subgraphs))) {
				return l.errs
			}
			continue
		}
		nt := len(m.Subgraphs[sd.SubgraphIndex].Tensors)
		for _, tm := range append(append([]TensorMap(nil), sd.Inputs...), sd.Outputs...) {
			if int64(tm.TensorIndex) >= int64(nt) {
				if !l.add(malformed("signature def %d %q: %q names tensor %d, out of range (subgraph %d has %d tensors)", i, sd.Key, tm.Name, tm.TensorIndex, sd.SubgraphIndex, nt)) {
					return l.errs
				}
			}
		}
	}
	return l.errs
}

// semanticErrors checks shapes, sizes, quantization and operators. It
// assumes refErrors found nothing.
func semanticErrors(m *Model, limit int) []error {
	l := &errList{limit: limit}
	if len(m.Buffers) > 0 && len(m.Buffers[0]) != 0 {
		l.add(malformed("buffer 0 holds %d bytes; TFLite reserves it as the empty buffer of tensors without data", len(m.Buffers[0])))
	}
	var total int64
	for si := range m.Subgraphs {
		sg := &m.Subgraphs[si]
		for ti := range sg.Tensors {
			t := &sg.Tensors[ti]
			n, err := checkTensor(m, si, ti, t)
			if err != nil {
				if !l.add(err) {
					return l.errs
				}
				continue
			}
			total += n
			if total > MaxTensorBytes {
				l.add(malformed("%s: tensors need more than %d MiB in total (cap %d MiB); refusing the model", tensorName(si, ti, t), total>>20, MaxTensorBytes>>20))
				return l.errs
			}
		}
		for oi := range sg.Operators {
			if err := checkOperator(m, si, oi); err != nil {
				if !l.add(err) {
					return l.errs
				}
			}
		}
		// Constant data aliases the model file: nothing may write to it.
		for k, ti := range sg.Inputs {
			if isConstant(m, &sg.Tensors[ti]) {
				if !l.add(malformed("subgraph %d input %d: %s holds constant data and cannot be an input", si, k, tensorName(si, int(ti), &sg.Tensors[ti]))) {
					return l.errs
				}
			}
		}
		for oi := range sg.Operators {
			for _, ti := range sg.Operators[oi].Outputs {
				if isConstant(m, &sg.Tensors[ti]) {
					if !l.add(malformed("subgraph %d operator %d writes %s, which holds constant data", si, oi, tensorName(si, int(ti), &sg.Tensors[ti]))) {
						return l.errs
					}
				}
			}
		}
	}
	return l.errs
}

// isConstant reports whether t has data in the model (like TFLite, a
// tensor whose buffer is empty is not constant).
func isConstant(m *Model, t *Tensor) bool {
	return t.Buffer != 0 && len(m.Buffers[t.Buffer]) > 0
}

// checkTensor checks one tensor and returns the bytes it occupies.
func checkTensor(m *Model, si, ti int, t *Tensor) (int64, error) {
	size, err := tensorBytes(m, t)
	if err != nil {
		return 0, malformed("%s: %s", tensorName(si, ti, t), err)
	}
	if t.Quant != nil {
		if err := checkQuant(t); err != nil {
			return 0, malformed("%s: %s", tensorName(si, ti, t), err)
		}
	}
	return size, nil
}

// tensorBytes checks the type, shape and constant data of t and returns
// the bytes it occupies.
func tensorBytes(m *Model, t *Tensor) (int64, error) {
	if !t.Type.Known() {
		return 0, fmt.Errorf("tensor type %d is not a TFLite type", int8(t.Type))
	}
	n := int64(1)
	for k, dim := range t.Shape {
		if dim < 0 {
			return 0, fmt.Errorf("dimension %d of shape %v is negative", k, t.Shape)
		}
		n *= int64(dim)
		if n > MaxTensorBytes*2 { // INT4 packs two elements per byte
			return 0, fmt.Errorf("shape %v has more elements than the %d MiB tensor cap allows", t.Shape, MaxTensorBytes>>20)
		}
	}
	size, fixed := t.Type.ByteSize(n)
	if t.Buffer != 0 && len(m.Buffers[t.Buffer]) > 0 && fixed && int64(len(m.Buffers[t.Buffer])) != size {
		return 0, fmt.Errorf("constant data in buffer %d is %d bytes, but %s%v needs %d", t.Buffer, len(m.Buffers[t.Buffer]), t.Type, t.Shape, size)
	}
	return size, nil
}

// checkQuant applies TFLite's InterpreterBuilder::ParseQuantization rules.
func checkQuant(t *Tensor) error {
	q := t.Quant
	ns := len(q.Scale)
	if ns == 0 {
		return nil // no scale: TFLite treats the tensor as not quantized
	}
	if len(q.ZeroPoint) != ns {
		return fmt.Errorf("quantization has %d scales but %d zero points; they must match", ns, len(q.ZeroPoint))
	}
	rank := len(t.Shape)
	if q.QuantizedDimension < 0 || (rank > 0 && int(q.QuantizedDimension) >= rank) {
		return fmt.Errorf("quantized_dimension must be in range [0, %d) for this rank-%d tensor, was %d (TFLite refuses this too)", rank, rank, q.QuantizedDimension)
	}
	if ns != 1 && rank > 0 && int32(ns) != t.Shape[q.QuantizedDimension] {
		return fmt.Errorf("%d scales, but per-channel quantization along dimension %d of shape %v needs %d (or 1 for per-tensor)", ns, q.QuantizedDimension, t.Shape, t.Shape[q.QuantizedDimension])
	}
	for k, s := range q.Scale {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("scale %d is %g; scales must be finite and positive", k, s)
		}
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	switch t.Type {
	case UInt8:
		lo, hi = 0, 255
	case Int8:
		lo, hi = -128, 127
	case Int16:
		lo, hi = -32768, 32767
	}
	for k, zp := range q.ZeroPoint {
		if zp < lo || zp > hi {
			return fmt.Errorf("zero point %d is %d, outside the %s range [%d, %d]", k, zp, t.Type, lo, hi)
		}
	}
	return nil
}

// checkOperator checks the operator's kind and options.
func checkOperator(m *Model, si, oi int) error {
	op := &m.Subgraphs[si].Operators[oi]
	oc := m.OperatorCodes[op.OpcodeIndex]
	name := fmt.Sprintf("subgraph %d operator %d (%s)", si, oi, oc.Name())
	if oc.Builtin == OpCustom {
		return customOpError(oc.CustomCode)
	}
	if !oc.Builtin.Known() {
		return malformed("%s: builtin operator code %d is not a TFLite operator", name, int32(oc.Builtin))
	}
	want := optionsUnion(oc.Builtin)
	got, _ := unionOf(op.Options)
	if want == unionNone {
		if op.Options != nil {
			return malformed("%s: carries options of type %T, but this operator takes none that Fovea reads", name, op.Options)
		}
		return nil
	}
	if op.Options == nil || got != want {
		return malformed("%s: options are %T, want the operator's own options type", name, op.Options)
	}
	var pad Padding
	var act Activation
	var strides, dilations, filter []int32
	switch o := op.Options.(type) {
	case *Conv2DOptions:
		pad, act, strides, dilations = o.Padding, o.Activation, []int32{o.StrideW, o.StrideH}, []int32{o.DilationW, o.DilationH}
	case *DepthwiseConv2DOptions:
		pad, act, strides, dilations = o.Padding, o.Activation, []int32{o.StrideW, o.StrideH}, []int32{o.DilationW, o.DilationH}
	case *Pool2DOptions:
		pad, act, strides, filter = o.Padding, o.Activation, []int32{o.StrideW, o.StrideH}, []int32{o.FilterWidth, o.FilterHeight}
	case *FullyConnectedOptions:
		act = o.Activation
	case *AddOptions:
		act = o.Activation
	case *MulOptions:
		act = o.Activation
	case *ConcatenationOptions:
		act = o.Activation
	case *SubOptions:
		act = o.Activation
	case *DivOptions:
		act = o.Activation
	case *L2NormOptions:
		act = o.Activation
	}
	var bad []string
	if pad != PaddingSame && pad != PaddingValid {
		bad = append(bad, fmt.Sprintf("padding %d is neither SAME (0) nor VALID (1)", pad))
	}
	if act < ActNone || act > ActSignBit {
		bad = append(bad, fmt.Sprintf("fused activation %d is not a TFLite activation", act))
	}
	atLeast1 := func(what string, vals []int32) {
		for _, x := range vals {
			if x < 1 {
				bad = append(bad, fmt.Sprintf("%s %d must be at least 1 (a missing options table gives 0)", what, x))
				return
			}
		}
	}
	atLeast1("stride", strides)
	atLeast1("dilation", dilations)
	atLeast1("filter size", filter)
	if len(bad) > 0 {
		return malformed("%s: %s", name, strings.Join(bad, "; "))
	}
	return nil
}

// customOpError explains a custom operator: Fovea implements none, and
// accelerator-compiled models are recognisable by their op name.
func customOpError(code string) error {
	switch {
	case code == "edgetpu-custom-op":
		return unsupported("model uses custom op %q: it needs the Edge TPU runtime (libedgetpu) and a Coral Edge TPU; use the CPU version of the model (before edgetpu_compiler)", code)
	case code == "ethos-u":
		return unsupported("model uses custom op %q: it needs an Arm Ethos-U NPU build (Vela-compiled model); use the model before Vela compilation", code)
	case strings.HasPrefix(code, "Flex"):
		return unsupported("model uses custom op %q: it needs TensorFlow's Flex delegate (select TF ops); reconvert with TFLite builtin ops only", code)
	}
	return unsupported("model uses custom op %q, which Fovea does not implement", code)
}
