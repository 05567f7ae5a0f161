package tflite

import (
	"errors"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/optest"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// TestUnsupportedListsEveryOp builds a model with four problems (a DIV
// the kernel refuses for int8, as TFLite does, control flow, an op without a kernel, a
// custom op) around supported ones, and checks that Load names all the
// missing kernels and that Unsupported reports each with its reason.
func TestUnsupportedListsEveryOp(t *testing.T) {
	g := optest.NewGraph()
	q := optest.Quant(0.1, 3)
	a := g.Input("a", schema.Int8, []int{1, 4}, q)
	b := g.Input("b", schema.Int8, []int{1, 4}, q)
	t0 := g.Tensor("div", schema.Int8, []int{1, 4}, q)
	g.Op(schema.OpDiv, []int32{a, b}, []int32{t0}, &schema.DivOptions{})
	t1 := g.Tensor("loop", schema.Int8, []int{1, 4}, q)
	g.Op(schema.OpWhile, []int32{t0}, []int32{t1}, nil)
	t2 := g.Tensor("unique", schema.Int8, []int{1, 4}, q)
	g.Op(schema.BuiltinOperator(103), []int32{t1}, []int32{t2}, nil) // UNIQUE
	t3 := g.Tensor("sum", schema.Int8, []int{1, 4}, q)
	g.Op(schema.OpAdd, []int32{t2, a}, []int32{t3}, &schema.AddOptions{})
	out := g.Output("out", schema.Int8, []int{1, 4}, q)
	g.Op(schema.OpSub, []int32{t3, b}, []int32{out}, &schema.SubOptions{})
	// A second subgraph, as the body of a converted while loop would be.
	m := g.Model()
	m.Subgraphs = append(m.Subgraphs, m.Subgraphs[0])
	data, err := schema.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Load(data, infer.LoadOptions{})
	if !errors.Is(err, infer.ErrUnsupported) {
		t.Fatalf("Load = %v; want ErrUnsupported", err)
	}
	for _, want := range []string{"WHILE (operator 1)", "control flow", "2 subgraphs", "UNIQUE (operator 2)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load error %q does not mention %q", err, want)
		}
	}
	probs, err := Unsupported(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		index  int
		op, in string
	}{
		{0, "DIV", "DIV of int8"},
		{1, "WHILE", "subgraphs"},
		{2, "UNIQUE", "no kernel"},
	}
	if len(probs) != len(want) {
		t.Fatalf("Unsupported = %v; want %d problems", probs, len(want))
	}
	for i, w := range want {
		p := probs[i]
		if p.Index != w.index || p.Op != w.op || !strings.Contains(p.Reason, w.in) {
			t.Errorf("problem %d = %v; want operator %d (%s) mentioning %q", i, p, w.index, w.op, w.in)
		}
	}
}
