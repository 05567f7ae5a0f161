package optest

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// dtype is an element type under test.
type dtype struct {
	name       string
	typ        schema.TensorType
	qmin, qmax int32
}

var (
	f32 = dtype{"float32", schema.Float32, 0, 0}
	u8  = dtype{"uint8", schema.UInt8, 0, 255}
	i8  = dtype{"int8", schema.Int8, -128, 127}
	i16 = dtype{"int16", schema.Int16, math.MinInt16, math.MaxInt16}
	i32 = dtype{"int32", schema.Int32, math.MinInt32, math.MaxInt32}
	i64 = dtype{"int64", schema.Int64, math.MinInt32, math.MaxInt32}
)

func (d dtype) float() bool { return d.typ == schema.Float32 }

// tensor is a test tensor: float values, or integer values with affine
// quantization (one scale, or one per channel along axis).
type tensor struct {
	d      dtype
	shape  []int
	f      []float32 // float32 tensors
	q      []int32   // integer tensors
	scales []float64
	zp     int32
	axis   int
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// real returns the real value of every element.
func (t *tensor) real() []float64 {
	out := make([]float64, numel(t.shape))
	if t.d.float() {
		for i, v := range t.f {
			out[i] = float64(v)
		}
		return out
	}
	if t.scales == nil { // plain integers
		for i, v := range t.q {
			out[i] = float64(v)
		}
		return out
	}
	inner := 1
	if len(t.scales) > 1 {
		inner = numel(t.shape[t.axis+1:])
	}
	for i, v := range t.q {
		s := t.scales[0]
		if len(t.scales) > 1 {
			s = t.scales[(i/inner)%t.shape[t.axis]]
		}
		out[i] = s * float64(v-t.zp)
	}
	return out
}

func (t *tensor) bytes() []byte {
	switch t.d.typ {
	case schema.Float32:
		return Float32Bytes(t.f)
	case schema.Int32:
		return Int32Bytes(t.q)
	case schema.Int16:
		b := make([]byte, 2*len(t.q))
		for i, x := range t.q {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(x)))
		}
		return b
	case schema.Int64:
		b := make([]byte, 8*len(t.q))
		for i, x := range t.q {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(int64(x)))
		}
		return b
	}
	return Int8Bytes(t.q)
}

func (t *tensor) quant() *schema.Quantization {
	if t.d.float() || t.scales == nil {
		return nil
	}
	if len(t.scales) > 1 {
		s := make([]float32, len(t.scales))
		for i, v := range t.scales {
			s[i] = float32(v)
		}
		return PerChannel(s, t.axis)
	}
	return Quant(t.scales[0], t.zp)
}

// like returns an empty tensor of the same type and quantization with
// another shape.
func (t *tensor) like(shape []int) *tensor {
	return &tensor{d: t.d, shape: shape, scales: t.scales, zp: t.zp, axis: t.axis}
}

// qparams returns (scale, zero point) covering [lo, hi] (widened to hold
// 0) for an 8-bit dtype, as a converter's calibration would.
func qparams(d dtype, lo, hi float64) (float64, int32) {
	lo, hi = min(lo, 0), max(hi, 0)
	if d == i16 { // 16x8: symmetric, zero point 0
		return float64(float32(max(-lo, hi, 1e-3) / float64(d.qmax))), 0
	}
	if hi-lo < 1e-3 {
		hi = lo + 1e-3
	}
	// The model stores scales as float32: use exactly that value.
	s := float64(float32((hi - lo) / float64(d.qmax-d.qmin)))
	zp := d.qmin - int32(math.Round(lo/s))
	return s, min(max(zp, d.qmin), d.qmax)
}

// randTensor fills a tensor of dtype d with values covering [lo, hi]:
// uniform floats, or uniform codes of the quantization covering the range.
func randTensor(r *rand.Rand, d dtype, shape []int, lo, hi float64) *tensor {
	t := &tensor{d: d, shape: shape}
	n := numel(shape)
	if d.float() {
		t.f = make([]float32, n)
		for i := range t.f {
			t.f[i] = float32(lo + (hi-lo)*r.Float64())
		}
		return t
	}
	s, zp := qparams(d, lo, hi)
	t.scales, t.zp = []float64{s}, zp
	t.q = make([]int32, n)
	for i := range t.q {
		t.q[i] = d.qmin + r.Int32N(d.qmax-d.qmin+1)
	}
	return t
}

// randWeights makes a filter of dtype d: float32 as is, uint8 per-tensor
// asymmetric, int8 symmetric per channel along axis (perTensor forces one
// int8 scale).
func randWeights(r *rand.Rand, d dtype, shape []int, axis int, lim float64, perTensor bool) *tensor {
	if d == i16 {
		d = i8 // 16x8: int8 weights
	}
	n := numel(shape)
	w := make([]float64, n)
	for i := range w {
		w[i] = lim * (2*r.Float64() - 1)
	}
	t := &tensor{d: d, shape: shape}
	switch {
	case d.float():
		t.f = make([]float32, n)
		for i, v := range w {
			t.f[i] = float32(v)
		}
	case d == u8:
		s, zp := qparams(d, slices.Min(w), slices.Max(w))
		t.scales, t.zp = []float64{s}, zp
		t.q = quantizeAll(w, s, zp, d)
	default:
		channels, inner := shape[axis], numel(shape[axis+1:])
		if perTensor {
			channels = 1
		}
		amax := make([]float64, channels)
		for i, v := range w {
			c := (i / inner) % shape[axis]
			if perTensor {
				c = 0
			}
			amax[c] = max(amax[c], math.Abs(v))
		}
		t.scales, t.axis = make([]float64, channels), axis
		for c := range amax {
			t.scales[c] = float64(float32(max(amax[c], 1e-6) / 127))
		}
		t.q = make([]int32, n)
		for i, v := range w {
			c := (i / inner) % shape[axis]
			if perTensor {
				c = 0
			}
			t.q[i] = min(max(int32(math.Round(v/t.scales[c])), -127), 127)
		}
	}
	return t
}

// randBias makes a bias for n output channels: float32, or int32 with
// scale input scale × filter scale (per channel), as TFLite requires.
func randBias(r *rand.Rand, in, w *tensor, n int, lim float64) *tensor {
	if in.d.float() {
		return randTensor(r, f32, []int{n}, -lim, lim)
	}
	bd := i32
	if in.d == i16 {
		bd = i64 // 16x8 models carry int64 biases
	}
	t := &tensor{d: bd, shape: []int{n}, scales: make([]float64, len(w.scales)), q: make([]int32, n)}
	for c := range t.scales {
		t.scales[c] = float64(float32(in.scales[0] * w.scales[c]))
	}
	for c := range n {
		s := t.scales[0]
		if len(t.scales) > 1 {
			s = t.scales[c]
		}
		t.q[c] = int32(math.Round(lim * (2*r.Float64() - 1) / s))
	}
	return t
}

func quantizeAll(v []float64, s float64, zp int32, d dtype) []int32 {
	q := make([]int32, len(v))
	for i, x := range v {
		q[i] = min(max(zp+int32(math.Round(x/s)), d.qmin), d.qmax)
	}
	return q
}

// outTensor declares the output of dtype d for real results ref: float32,
// or 8-bit calibrated to the range of ref.
func outTensor(d dtype, shape []int, ref []float64) *tensor {
	t := &tensor{d: d, shape: shape}
	if !d.float() {
		t.scales = make([]float64, 1)
		t.scales[0], t.zp = qparams(d, slices.Min(ref), slices.Max(ref))
	}
	return t
}

// fixedOut declares an 8-bit output with a fixed scale and zero point.
func fixedOut(d dtype, shape []int, scale float64, zp int32) *tensor {
	t := &tensor{d: d, shape: shape}
	if !d.float() {
		t.scales, t.zp = []float64{scale}, zp
	}
	return t
}

func (g *Graph) in(t *tensor) int32 {
	return g.Input(fmt.Sprintf("in%d", len(g.sg.Tensors)), t.d.typ, t.shape, t.quant())
}

func (g *Graph) out(t *tensor) int32 {
	return g.Output(fmt.Sprintf("out%d", len(g.sg.Tensors)), t.d.typ, t.shape, t.quant())
}

func (g *Graph) konst(t *tensor) int32 {
	return g.Const(fmt.Sprintf("const%d", len(g.sg.Tensors)), t.d.typ, t.shape, t.quant(), t.bytes())
}

func (g *Graph) ints(v ...int) int32 {
	q := make([]int32, len(v))
	for i, x := range v {
		q[i] = int32(x)
	}
	return g.Const(fmt.Sprintf("ints%d", len(g.sg.Tensors)), schema.Int32, []int{len(v)}, nil, Int32Bytes(q))
}

// want is the expected output: the real-valued result before the fused
// activation, and how to compare.
type want struct {
	out   *tensor // declared output (dtype, shape, quantization)
	real  []float64
	act   schema.Activation
	exact bool    // integer result must match exactly
	tol   float64 // float tolerance, relative to max(1, |ref|); 0 = 1e-5
	// alt, when set, is a second acceptable code per element: TFLite's
	// documented integer arithmetic where it rounds in two places or
	// breaks exact ties its own way (before the activation clamp).
	alt []int32
	// steps, when set, accepts codes up to this many steps from the exact
	// result (counted with alt): TFLite's int16 SOFTMAX approximates exp
	// and 1/(1+x) with interpolated 513-entry tables.
	steps int
}

// tieBand is how close (in quantization steps) the exact result must be to
// a rounding boundary for a one-step difference to count as a legitimate
// tie rather than an error of the kernel.
const tieBand = 0.05

// opCase is one single-operator model under test. build returns the graph
// (inputs, op and outputs declared), the input values in graph-input
// order, and the expected outputs in graph-output order.
type opCase struct {
	op, dtype, act, params string
	// maxOff is the largest allowed fraction of quantized elements off by
	// one step; 0 means defaultMaxOff.
	maxOff float64
	build  func(r *rand.Rand) (*Graph, []*tensor, []want)
}

const defaultMaxOff = 0.02

func (c opCase) name() string {
	return c.op + "/" + c.dtype + "/" + c.act + "/" + c.params
}

var actNames = map[schema.Activation]string{
	schema.ActNone: "none", schema.ActRelu: "relu", schema.ActRelu6: "relu6", schema.ActReluN1To1: "relu_n1_to_1",
}

var allActs = []schema.Activation{schema.ActNone, schema.ActRelu, schema.ActRelu6, schema.ActReluN1To1}

func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// stats counts compared elements and those one quantization step off.
type stats struct {
	n    int // elements compared
	off  int // one step off, away from a rounding tie
	ties int // one step off at a rounding tie of the exact result
	alt  int // equal to the alternative (TFLite's documented) arithmetic only
}

// runModel loads a marshalled model with the "go" engine, sets the inputs,
// invokes once and returns the outputs.
func runModel(data []byte, ins []*tensor, threads int) ([]*infer.Tensor, error) {
	m, err := infer.Load(data, infer.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("Load: %w", err)
	}
	it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		return nil, fmt.Errorf("NewInterpreter: %w", err)
	}
	if c, ok := it.(interface{ Close() error }); ok {
		defer c.Close()
	}
	if len(it.Inputs()) != len(ins) {
		return nil, fmt.Errorf("model has %d inputs; the case gives %d", len(it.Inputs()), len(ins))
	}
	for i, t := range ins {
		b := t.bytes()
		if len(b) != len(it.Inputs()[i].Data) {
			return nil, fmt.Errorf("input %d holds %d bytes; the case gives %d", i, len(it.Inputs()[i].Data), len(b))
		}
		copy(it.Inputs()[i].Data, b)
	}
	if err := it.Invoke(context.Background()); err != nil {
		return nil, fmt.Errorf("Invoke: %w", err)
	}
	var outs []*infer.Tensor
	for _, o := range it.Outputs() {
		c := *o
		c.Data = slices.Clone(o.Data)
		outs = append(outs, &c)
	}
	return outs, nil
}

// decode returns an output's elements as float64 (float32 outputs) or as
// integer codes.
func decode(t *infer.Tensor) []float64 {
	out := make([]float64, t.NumElements())
	for i := range out {
		switch t.Type {
		case infer.Float32:
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:])))
		case infer.Int8:
			out[i] = float64(int8(t.Data[i]))
		case infer.Int16:
			out[i] = float64(int16(binary.LittleEndian.Uint16(t.Data[2*i:])))
		case infer.UInt8:
			out[i] = float64(t.Data[i])
		case infer.Int32:
			out[i] = float64(int32(binary.LittleEndian.Uint32(t.Data[4*i:])))
		case infer.Int64:
			out[i] = float64(int64(binary.LittleEndian.Uint64(t.Data[8*i:])))
		}
	}
	return out
}

func floatAct(a schema.Activation, v float64) float64 {
	switch a {
	case schema.ActRelu:
		return max(v, 0)
	case schema.ActRelu6:
		return min(max(v, 0), 6)
	case schema.ActReluN1To1:
		return min(max(v, -1), 1)
	}
	return v
}

// quantActRange is the clamp range of a fused activation on an 8-bit
// output: the activation's real bounds quantized, within the dtype. TFLite
// quantizes the bounds in float32 (zp + round(6.0f / scale)); a bound that
// falls on a tie, such as 1/s = 25.5, rounds as float32 says.
func quantActRange(a schema.Activation, d dtype, s float64, zp int32) (int32, int32) {
	q := func(f float64) int32 { return zp + int32(math.Round(float64(float32(f)/float32(s)))) }
	lo, hi := d.qmin, d.qmax
	switch a {
	case schema.ActRelu:
		lo = max(lo, q(0))
	case schema.ActRelu6:
		lo, hi = max(lo, q(0)), min(hi, q(6))
	case schema.ActReluN1To1:
		lo, hi = max(lo, q(-1)), min(hi, q(1))
	}
	return lo, hi
}

// check compares outputs against the expected ones and returns the
// element counts and every problem found (at most a few per output).
func check(outs []*infer.Tensor, wants []want, maxOff float64) (stats, []string) {
	var st stats
	var problems []string
	if len(outs) != len(wants) {
		return st, []string{fmt.Sprintf("model has %d outputs; want %d", len(outs), len(wants))}
	}
	for i, w := range wants {
		problems = append(problems, compare(i, outs[i], w, &st)...)
	}
	if maxOff == 0 {
		maxOff = defaultMaxOff
	}
	// One stray element is allowed so that tiny outputs do not fail on a
	// single near-tie.
	if st.off > 1 && float64(st.off) > maxOff*float64(st.n) {
		problems = append(problems, fmt.Sprintf("%d of %d elements (%.1f%%) are one step off away from a rounding tie; at most %.1f%% may be, more means the kernel is systematically off",
			st.off, st.n, 100*float64(st.off)/float64(st.n), 100*maxOff))
	}
	return st, problems
}

// compare checks one output against w, adding to st.
func compare(idx int, got *infer.Tensor, w want, st *stats) []string {
	if got.Type.String() != w.out.d.name || !slices.Equal(got.Shape, w.out.shape) {
		return []string{fmt.Sprintf("output %d is %s%v; want %s%v", idx, got.Type, got.Shape, w.out.d.name, w.out.shape)}
	}
	vals := decode(got)
	if len(vals) != len(w.real) {
		return []string{fmt.Sprintf("output %d has %d elements; reference has %d", idx, len(vals), len(w.real))}
	}
	st.n += len(vals)
	var problems []string
	bad := 0
	report := func(i int, format string, args ...any) {
		bad++
		if bad <= 5 {
			problems = append(problems, fmt.Sprintf("output %d element %d (index %v): "+format, append([]any{idx, i, unflatten(i, w.out.shape)}, args...)...))
		}
	}
	if !w.out.d.float() && w.out.scales == nil {
		// Integer results (indices, shapes, casts) must match exactly.
		for i, g := range vals {
			if g != w.real[i] {
				report(i, "got %v; want %v", g, w.real[i])
			}
		}
	} else if w.out.d.float() {
		tol := w.tol
		if tol == 0 {
			tol = 1e-5
		}
		for i, g := range vals {
			ref := floatAct(w.act, w.real[i])
			if !(math.Abs(g-ref) <= tol*max(1, math.Abs(ref))) {
				report(i, "got %.7g; want %.7g (tolerance %g)", g, ref, tol)
			}
		}
	} else {
		s, zp := w.out.scales[0], w.out.zp
		lo, hi := quantActRange(w.act, w.out.d, s, zp)
		for i, g := range vals {
			v := w.real[i] / s
			ref := min(max(zp+int32(math.Round(v)), lo), hi)
			tie := math.Abs(math.Abs(v-math.Floor(v))-0.5) < tieBand
			switch d := math.Abs(g - float64(ref)); {
			case d == 0:
			case w.alt != nil && g == float64(min(max(w.alt[i], lo), hi)):
				st.alt++
			case d <= float64(w.steps):
				st.alt++
			case d == 1 && !w.exact && tie:
				st.ties++
			case d == 1 && !w.exact:
				st.off++
			default:
				report(i, "got %v; want %d (real %.6g / scale %.6g + zp %d)", g, ref, w.real[i], s, zp)
			}
		}
	}
	if bad > 5 {
		problems = append(problems, fmt.Sprintf("output %d: %d of %d elements differ", idx, bad, len(vals)))
	}
	return problems
}

func unflatten(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

// runCase builds, runs and checks one case, with one worker and again with
// two (which must give the same bytes).
func runCase(t *testing.T, c opCase) stats {
	t.Helper()
	r := rand.New(rand.NewPCG(seedOf(c.name()), 1))
	g, ins, wants := c.build(r)
	data, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	outs, err := runModel(data, ins, 1)
	if err != nil {
		t.Fatalf("%s: %v", c.name(), err)
	}
	st, problems := check(outs, wants, c.maxOff)
	for _, p := range problems {
		t.Error(p)
	}
	outs2, err := runModel(data, ins, 2)
	if err != nil {
		t.Fatalf("%s with 2 threads: %v", c.name(), err)
	}
	for i := range outs {
		if !slices.Equal(outs[i].Data, outs2[i].Data) {
			t.Errorf("output %d differs between 1 and 2 threads", i)
		}
	}
	return st
}

// allCases lists every single-op case.
func allCases() []opCase {
	var cs []opCase
	for _, f := range []func() []opCase{
		convCases, depthwiseCases, fcCases, poolCases, meanCases, binaryCases,
		padCases, reshapeCases, squeezeCases, transposeCases, concatCases,
		unaryCases, quantizeCases, dequantizeCases,
		sliceCases, stridedSliceCases, splitCases, unpackCases, packCases, gatherCases,
		expandDimsCases, broadcastToCases, depthSpaceCases, mirrorPadCases, padV2Cases,
		resizeNearestCases, rowCases, binaryMoreCases, reduceCases, argCases, miscCases,
		dequantMoreCases, resizeBilinearCases, hybridCases, batchMatMulCases,
		int32Cases, int16Cases, negCases,
	} {
		cs = append(cs, f()...)
	}
	return cs
}

// TestSingleOp runs every case and logs, per op and dtype, the fraction of
// quantized elements one step off the exact result.
func TestSingleOp(t *testing.T) {
	type key struct{ op, dtype string }
	offs := map[key]*stats{}
	var order []key
	for _, c := range allCases() {
		var st stats
		t.Run(c.name(), func(t *testing.T) { st = runCase(t, c) })
		k := key{c.op, c.dtype}
		if offs[k] == nil {
			offs[k] = &stats{}
			order = append(order, k)
		}
		offs[k].n += st.n
		offs[k].off += st.off
		offs[k].ties += st.ties
		offs[k].alt += st.alt
	}
	var b strings.Builder
	b.WriteString("quantized elements that differ by one step from the exact result (at a rounding tie / elsewhere) or match only TFLite's documented arithmetic:\n")
	fmt.Fprintf(&b, "%-18s %-16s %8s %8s %8s %8s\n", "op", "dtype", "elements", "ties", "off", "alt")
	for _, k := range order {
		if s := offs[k]; !strings.HasSuffix(k.dtype, "float32") && s.n > 0 {
			fmt.Fprintf(&b, "%-18s %-16s %8d %7.3f%% %7.3f%% %7.3f%%\n", k.op, k.dtype, s.n,
				100*float64(s.ties)/float64(s.n), 100*float64(s.off)/float64(s.n), 100*float64(s.alt)/float64(s.n))
		}
	}
	t.Log(b.String())
}
