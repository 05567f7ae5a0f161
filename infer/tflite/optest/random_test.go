package optest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// randomGraphs is how many seeded random single-op graphs
// TestRandomSingleOps runs (about 50 µs each).
const randomGraphs = 20000

// TestRandomSingleOps runs the fuzz target's graph generator on seeded
// random bytes: parameter combinations beyond the tables (odd shapes,
// kernels larger than the input, every broadcast, axis and permutation),
// each compared like the fuzz target does.
func TestRandomSingleOps(t *testing.T) {
	n := randomGraphs
	if testing.Short() {
		n /= 10
	}
	r := rand.New(rand.NewPCG(5, 5))
	perOp := map[string]int{}
	for range n {
		data := make([]byte, 24)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		c, ok := fuzzCase(data)
		if !ok {
			continue
		}
		perOp[c.op]++
		g, ins, wants := c.build(rand.New(rand.NewPCG(seedOf(string(data)), 2)))
		model, err := g.Marshal()
		if err != nil {
			t.Fatalf("%s: %v", c.name(), err)
		}
		outs, err := runModel(model, ins, 1)
		if err != nil {
			t.Errorf("%s: %v", c.name(), err)
			continue
		}
		if _, problems := check(outs, wants, 1); len(problems) > 0 {
			t.Errorf("%s:\n%s", c.name(), strings.Join(problems, "\n"))
		}
	}
	var ops []string
	for op, k := range perOp {
		ops = append(ops, fmt.Sprintf("%s %d", op, k))
	}
	sort.Strings(ops)
	t.Logf("%d random graphs: %s", n, strings.Join(ops, ", "))
}

// TestRefusedSingleOps checks that the configurations TFLite refuses (and
// docs/interpreter.md lists as refused) fail at Load with ErrUnsupported
// and a message naming the problem, rather than running wrong.
func TestRefusedSingleOps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	q := func(d dtype, shape []int, lo, hi float64) *tensor { return randTensor(r, d, shape, lo, hi) }
	tests := []struct {
		name  string
		build func() *Graph
		want  string
	}{
		{"CONCATENATION/uint8/relu", func() *Graph {
			a, b := q(u8, []int{1, 3}, -1, 1), q(u8, []int{1, 3}, -1, 1)
			b.scales, b.zp = a.scales, a.zp
			g := NewGraph()
			ia, ib := g.in(a), g.in(b)
			g.Op(schema.OpConcatenation, []int32{ia, ib}, []int32{g.out(a.like([]int{1, 6}))}, &schema.ConcatenationOptions{Axis: 1, Activation: schema.ActRelu})
			return g
		}, "fused activation"},
		{"CONCATENATION/int8/unequal-quantization", func() *Graph {
			a, b := q(i8, []int{2, 2}, -1, 1), q(i8, []int{2, 2}, -3, 3)
			g := NewGraph()
			ia, ib := g.in(a), g.in(b)
			g.Op(schema.OpConcatenation, []int32{ia, ib}, []int32{g.out(a.like([]int{4, 2}))}, &schema.ConcatenationOptions{Axis: 0})
			return g
		}, "requires them equal"},
		{"MAX_POOL_2D/uint8/requantizing", func() *Graph {
			in := q(u8, []int{1, 4, 4, 1}, -1, 1)
			out := fixedOut(u8, []int{1, 2, 2, 1}, in.scales[0]*2, in.zp)
			g := NewGraph()
			gi := g.in(in)
			g.Op(schema.OpMaxPool2D, []int32{gi}, []int32{g.out(out)}, &schema.Pool2DOptions{Padding: schema.PaddingValid, StrideW: 2, StrideH: 2, FilterWidth: 2, FilterHeight: 2})
			return g
		}, "quantization differ"},
		{"CONV_2D/float32/tanh", func() *Graph {
			in, w := q(f32, []int{1, 3, 3, 1}, -1, 1), randWeights(r, f32, []int{1, 1, 1, 1}, 0, 1, false)
			g := NewGraph()
			ops := []int32{g.in(in), g.konst(w), -1}
			g.Op(schema.OpConv2D, ops, []int32{g.out(in.like([]int{1, 3, 3, 1}))}, &schema.Conv2DOptions{StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1, Activation: schema.ActTanh})
			return g
		}, "TANH"},
		{"LOGISTIC/int8/output-scale", func() *Graph {
			in := q(i8, []int{1, 8}, -4, 4)
			g := NewGraph()
			gi := g.in(in)
			g.Op(schema.OpLogistic, []int32{gi}, []int32{g.out(fixedOut(i8, []int{1, 8}, 1.0/128, -128))}, nil)
			return g
		}, "1/256"},
		{"DEQUANTIZE/float32", func() *Graph {
			in := q(f32, []int{4}, -1, 1)
			g := NewGraph()
			gi := g.in(in)
			g.Op(schema.OpDequantize, []int32{gi}, []int32{g.out(in.like([]int{4}))}, nil)
			return g
		}, "DEQUANTIZE from float32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.build().Marshal()
			if err != nil {
				t.Fatal(err)
			}
			_, err = infer.Load(data, infer.LoadOptions{})
			if !errors.Is(err, infer.ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v; want ErrUnsupported mentioning %q", err, tt.want)
			}
		})
	}
}
