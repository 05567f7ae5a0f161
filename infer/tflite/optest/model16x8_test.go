package optest

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// classifier16x8 is a small image classifier as the converter's 16x8 mode
// writes it: float input, QUANTIZE to int16, CONV_2D and DEPTHWISE_CONV_2D
// (RELU6, int8 per-channel weights, int64 biases), MEAN over H and W,
// FULLY_CONNECTED (per-tensor weights), SOFTMAX, DEQUANTIZE. Every scale
// is calibrated on the float forward pass of calib.
type classifier16x8 struct {
	g1, g2             convGeom
	w1, b1, w2, b2     *tensor
	w3, b3             *tensor
	classes            int
	s0, s1, s2, s3, s4 float64
}

const h16, w16, c16, oc16, classes16 = 12, 12, 3, 8, 5

func newClassifier16x8(r *rand.Rand, calib [][]float64) *classifier16x8 {
	m := &classifier16x8{classes: classes16}
	m.g1 = convGeom{1, h16, w16, c16, 3, 3, 2, 2, 1, 1, schema.PaddingSame}
	oh, ow, _, _ := m.g1.out()
	m.g2 = convGeom{1, oh, ow, oc16, 3, 3, 1, 1, 1, 1, schema.PaddingSame}
	m.s0, _ = qparams(i16, -1, 1)
	m.w1 = randWeights(r, i16, []int{oc16, 3, 3, c16}, 0, weightLim(27), false)
	m.b1 = randBias(r, &tensor{d: i16, scales: []float64{m.s0}}, m.w1, oc16, 0.5)
	// Calibrate layer by layer: each layer's bias needs its input scale.
	var a1 [][]float64
	for _, x := range calib {
		v, _ := convRef(x, m.g1, oc16, 0, m.w1.real(), m.b1.real())
		a1 = append(a1, relu6All(v))
	}
	m.s1 = symScale(a1)
	m.w2 = randWeights(r, i16, []int{1, 3, 3, oc16}, 3, weightLim(9), false)
	m.b2 = randBias(r, &tensor{d: i16, scales: []float64{m.s1}}, m.w2, oc16, 0.5)
	var a2, a3 [][]float64
	for _, v := range a1 {
		u, _ := convRef(v, m.g2, oc16, 1, m.w2.real(), m.b2.real())
		a2 = append(a2, relu6All(u))
		a3 = append(a3, meanHW(a2[len(a2)-1], oc16))
	}
	m.s2, m.s3 = symScale(a2), symScale(a3)
	m.w3 = randWeights(r, i16, []int{classes16, oc16}, 0, weightLim(oc16), true)
	m.b3 = randBias(r, &tensor{d: i16, scales: []float64{m.s3}}, m.w3, classes16, 0.5)
	var a4 [][]float64
	for _, v := range a3 {
		a4 = append(a4, m.fc(v))
	}
	m.s4 = symScale(a4)
	return m
}

func relu6All(v []float64) []float64 {
	for i := range v {
		v[i] = min(max(v[i], 0), 6)
	}
	return v
}

func meanHW(v []float64, c int) []float64 {
	out := make([]float64, c)
	for i, x := range v {
		out[i%c] += x
	}
	for i := range out {
		out[i] /= float64(len(v) / c)
	}
	return out
}

func (m *classifier16x8) fc(v []float64) []float64 {
	w, b := m.w3.real(), m.b3.real()
	out := make([]float64, m.classes)
	for u := range out {
		out[u] = b[u]
		for k, x := range v {
			out[u] += x * w[u*len(v)+k]
		}
	}
	return out
}

// forward is the float reference of the whole model.
func (m *classifier16x8) forward(x []float64) []float64 {
	a1, _ := convRef(x, m.g1, oc16, 0, m.w1.real(), m.b1.real())
	a2, _ := convRef(relu6All(a1), m.g2, oc16, 1, m.w2.real(), m.b2.real())
	logits := m.fc(meanHW(relu6All(a2), oc16))
	mx := slices.Max(logits)
	sum := 0.0
	for i, l := range logits {
		logits[i] = math.Exp(l - mx)
		sum += logits[i]
	}
	for i := range logits {
		logits[i] /= sum
	}
	return logits
}

// symScale is the int16 scale covering every value.
func symScale(vs [][]float64) float64 {
	lo, hi := 0.0, 0.0
	for _, v := range vs {
		lo, hi = min(lo, slices.Min(v)), max(hi, slices.Max(v))
	}
	s, _ := qparams(i16, lo, hi)
	return s
}

func (m *classifier16x8) graph() *Graph {
	g := NewGraph()
	q := func(s float64) *schema.Quantization { return Quant(s, 0) }
	oh, ow, _, _ := m.g1.out()
	in := g.Input("image", schema.Float32, []int{1, h16, w16, c16}, nil)
	t0 := g.Tensor("q0", schema.Int16, []int{1, h16, w16, c16}, q(m.s0))
	t1 := g.Tensor("conv", schema.Int16, []int{1, oh, ow, oc16}, q(m.s1))
	t2 := g.Tensor("dw", schema.Int16, []int{1, oh, ow, oc16}, q(m.s2))
	t3 := g.Tensor("mean", schema.Int16, []int{1, 1, 1, oc16}, q(m.s3))
	t4 := g.Tensor("logits", schema.Int16, []int{1, m.classes}, q(m.s4))
	t5 := g.Tensor("probs16", schema.Int16, []int{1, m.classes}, q(1.0/32768))
	out := g.Output("probs", schema.Float32, []int{1, m.classes}, nil)
	g.Op(schema.OpQuantize, []int32{in}, []int32{t0}, nil)
	g.Op(schema.OpConv2D, []int32{t0, g.konst(m.w1), g.konst(m.b1)}, []int32{t1}, &schema.Conv2DOptions{Padding: schema.PaddingSame,
		StrideW: 2, StrideH: 2, DilationW: 1, DilationH: 1, Activation: schema.ActRelu6})
	g.Op(schema.OpDepthwiseConv2D, []int32{t1, g.konst(m.w2), g.konst(m.b2)}, []int32{t2}, &schema.DepthwiseConv2DOptions{Padding: schema.PaddingSame,
		StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1, DepthMultiplier: 1, Activation: schema.ActRelu6})
	g.Op(schema.OpMean, []int32{t2, g.ints(1, 2)}, []int32{t3}, &schema.ReducerOptions{KeepDims: true})
	g.Op(schema.OpFullyConnected, []int32{t3, g.konst(m.w3), g.konst(m.b3)}, []int32{t4}, &schema.FullyConnectedOptions{})
	g.Op(schema.OpSoftmax, []int32{t4}, []int32{t5}, &schema.SoftmaxOptions{Beta: 1})
	g.Op(schema.OpDequantize, []int32{t5}, []int32{out}, nil)
	return g
}

func randImage(r *rand.Rand) []float64 {
	x := make([]float64, h16*w16*c16)
	for i := range x {
		x[i] = 2*r.Float64() - 1
	}
	return x
}

// TestModel16x8 runs a 16x8 classifier built by the writer on 40 images:
// its probabilities are within the quantization error of the float
// reference (0.01), its top-1 agrees wherever the reference's top two
// classes are not nearly tied, its bytes are the same on every run and
// with 1 or 2 workers, and Invoke allocates nothing.
func TestModel16x8(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 8))
	var calib [][]float64
	for range 20 {
		calib = append(calib, randImage(r))
	}
	m := newClassifier16x8(r, calib)
	data, err := m.graph().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := range 40 {
		x := calib[i%len(calib)]
		if i >= len(calib) {
			x = randImage(r) // not seen by the calibration
		}
		in := &tensor{d: f32, shape: []int{1, h16, w16, c16}, f: make([]float32, len(x))}
		for j, v := range x {
			in.f[j] = float32(v)
		}
		outs, err := runModel(data, []*tensor{in}, 1)
		if err != nil {
			t.Fatal(err)
		}
		again, err := runModel(data, []*tensor{in}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(outs[0].Data, again[0].Data) {
			t.Errorf("image %d: 2 workers give other bytes than 1", i)
		}
		got, ref := decode(outs[0]), m.forward(x)
		for c := range ref {
			d := math.Abs(got[c] - ref[c])
			worst = max(worst, d)
			if d > 0.01 {
				t.Errorf("image %d class %d: probability %.5f; float reference %.5f", i, c, got[c], ref[c])
			}
		}
		sorted := slices.Clone(ref)
		slices.Sort(sorted)
		if top(got) != top(ref) && sorted[len(sorted)-1]-sorted[len(sorted)-2] > 0.01 {
			t.Errorf("image %d: top-1 %d; float reference %d (%v)", i, top(got), top(ref), ref)
		}
	}
	// Invoke of the 16x8 kernels allocates nothing, as for 8-bit models.
	lm, err := infer.Load(data, infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := lm.NewInterpreter(infer.InterpreterOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := it.(interface{ Close() error }); ok {
		defer c.Close()
	}
	if n := testing.AllocsPerRun(20, func() {
		if err := it.Invoke(context.Background()); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Invoke allocates %.1f times; want 0", n)
	}
	t.Logf("largest probability error against the float reference: %.5f (reference of the last image: %.3f)", worst, m.forward(randImage(r)))
}

func top(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
