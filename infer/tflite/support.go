package tflite

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// Problem is one operator of a model that the interpreter cannot run.
type Problem struct {
	Index  int    // operator index in subgraph 0
	Op     string // builtin name, or the custom code
	Reason string
}

func (p Problem) String() string {
	return fmt.Sprintf("operator %d (%s): %s", p.Index, p.Op, p.Reason)
}

// controlFlow are the operators that call other subgraphs.
var controlFlow = map[schema.BuiltinOperator]bool{
	schema.OpIf: true, schema.OpWhile: true, schema.OpCallOnce: true, 31: true, // 31 = CALL
}

// unsupportedOps lists the operators of subgraph 0 that have no kernel:
// custom ops, control flow (which needs the model's other subgraphs) and
// builtins Fovea does not implement.
func unsupportedOps(sm *schema.Model) ([]Problem, error) {
	sg := &sm.Subgraphs[0]
	var probs []Problem
	for i, op := range sg.Operators {
		if int(op.OpcodeIndex) >= len(sm.OperatorCodes) {
			return nil, fmt.Errorf("%w: operator %d uses opcode %d but the model has %d", infer.ErrMalformed, i, op.OpcodeIndex, len(sm.OperatorCodes))
		}
		oc := sm.OperatorCodes[op.OpcodeIndex]
		switch {
		case oc.Builtin == schema.OpCustom:
			probs = append(probs, Problem{i, oc.CustomCode, customOpMessage(oc.CustomCode)})
		case controlFlow[oc.Builtin]:
			probs = append(probs, Problem{i, oc.Builtin.String(), fmt.Sprintf(
				"control flow: it runs another of the model's %d subgraphs, and Fovea executes single-graph models only; reconvert without control flow (e.g. unroll loops, fold conditionals)", len(sm.Subgraphs))})
		default:
			if _, ok := preparers[oc.Builtin]; !ok {
				probs = append(probs, Problem{i, oc.Builtin.String(), "Fovea has no kernel for this operator"})
			}
		}
	}
	return probs, nil
}

// summarize names every problem op once with its operator indices.
func summarize(probs []Problem) string {
	type entry struct {
		op, reason string
		idx        []string
	}
	var order []*entry
	seen := map[string]*entry{}
	for _, p := range probs {
		e := seen[p.Op]
		if e == nil {
			e = &entry{op: p.Op, reason: p.Reason}
			seen[p.Op] = e
			order = append(order, e)
		}
		e.idx = append(e.idx, fmt.Sprint(p.Index))
	}
	parts := make([]string, len(order))
	for i, e := range order {
		word := "operator"
		if len(e.idx) > 1 {
			word = "operators"
		}
		parts[i] = fmt.Sprintf("unsupported op %s (%s %s): %s", e.op, word, strings.Join(e.idx, ", "), e.reason)
	}
	return strings.Join(parts, "; ")
}

// Unsupported lists every operator of the model that Load would refuse,
// with the reason, for `fovea model inspect`: operators without a kernel,
// and operators whose kernel refuses their types, quantization or options.
// Preparation carries on past a refused operator (taking the shapes its
// outputs declare) so that later problems are found too. An error is
// returned only when the file cannot be parsed at all.
func Unsupported(data []byte) ([]Problem, error) {
	sm, err := schema.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("tflite.Unsupported: %w", err)
	}
	if err := schema.Validate(sm); err != nil {
		var probs []Problem
		if errors.Is(err, infer.ErrUnsupported) {
			// A custom op is reported by Validate; list them all.
			if p, e := unsupportedOps(sm); e == nil && len(p) > 0 {
				return p, nil
			}
			return []Problem{{Index: -1, Op: "model", Reason: err.Error()}}, nil
		}
		return probs, fmt.Errorf("tflite.Unsupported: %w", err)
	}
	if len(sm.Subgraphs) == 0 {
		return nil, fmt.Errorf("tflite.Unsupported: %w: model has no subgraph", infer.ErrMalformed)
	}
	probs, err := unsupportedOps(sm)
	if err != nil {
		return nil, fmt.Errorf("tflite.Unsupported: %w", err)
	}
	p := &prep{m: sm, sg: &sm.Subgraphs[0], skip: map[int]bool{}}
	for _, pr := range probs {
		p.skip[pr.Index] = true
	}
	if err := p.initTensors(); err != nil {
		return append(probs, Problem{Index: -1, Op: "tensors", Reason: err.Error()}), nil
	}
	p.collect = &probs
	if err := p.prepareOps(); err != nil {
		probs = append(probs, Problem{Index: p.index, Op: p.opName, Reason: err.Error()})
	}
	slices.SortStableFunc(probs, func(a, b Problem) int { return a.Index - b.Index })
	return probs, nil
}

// declareOutputs marks an operator's outputs known with their declared
// shapes, so preparation can continue past it (Unsupported only).
func (p *prep) declareOutputs() {
	for _, ti := range p.op.Outputs {
		if ti < 0 || int(ti) >= len(p.t) || p.t[ti].known || p.t[ti].isConst() {
			continue
		}
		t := &p.t[ti]
		shape := make([]int, len(p.sg.Tensors[ti].Shape))
		for j, d := range p.sg.Tensors[ti].Shape {
			shape[j] = max(int(d), 0)
		}
		n, _ := numElements(shape)
		t.shape, t.bytes, t.known = shape, n*max(t.dtype.Size(), 1), true
	}
}
