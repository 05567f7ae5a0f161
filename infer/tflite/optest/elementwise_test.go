package optest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// broadcastShape is NumPy broadcasting of two shapes (aligned right).
func broadcastShape(a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		out[i] = max(da, db)
	}
	return out
}

// broadcastIndex maps an output index to the flat index of an input of
// shape s broadcast to out.
func broadcastIndex(idx, s, out []int) int {
	off := len(out) - len(s)
	flat := 0
	for i, d := range s {
		x := idx[i+off]
		if d == 1 {
			x = 0
		}
		flat = flat*d + x
	}
	return flat
}

type binCase struct{ a, b []int }

var binTable = []binCase{
	{[]int{1, 4, 4, 3}, []int{1, 4, 4, 3}},
	{[]int{1, 4, 4, 3}, []int{3}},
	{[]int{2, 3, 1, 5}, []int{1, 1, 4, 1}},
	{[]int{1}, []int{2, 3, 5}},
	{[]int{7, 1}, []int{1, 9}},
	{[]int{1, 5, 1, 3}, []int{2, 1, 6, 1}},
	{[]int{4, 6, 5}, []int{4, 6, 5}},
	{[]int{2, 1, 3, 4, 5}, []int{1, 3, 1, 1, 5}}, // 5-D: axes merged to 4 groups
	{[]int{2, 3, 1, 1, 4, 5}, []int{2, 3, 6, 7, 4, 5}},
}

func binaryCases() []opCase {
	var cs []opCase
	for _, mul := range []bool{false, true} {
		op := "ADD"
		if mul {
			op = "MUL"
		}
		for _, d := range []dtype{f32, u8, i8, i16} {
			for _, act := range allActs {
				for _, p := range binTable {
					cs = append(cs, opCase{op: op, dtype: d.name, act: actNames[act], params: fmt.Sprintf("%v_%v", p.a, p.b),
						build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildBinary(r, d, act, p, mul) }})
				}
			}
		}
	}
	return cs
}

// buildBinary builds ADD or MUL with inputs of different quantization and
// an output calibrated to the result.
func buildBinary(r *rand.Rand, d dtype, act schema.Activation, p binCase, mul bool) (*Graph, []*tensor, []want) {
	a := randTensor(r, d, p.a, -4, 5)
	b := randTensor(r, d, p.b, -2.5, 1.5)
	shape := broadcastShape(p.a, p.b)
	ar, br := a.real(), b.real()
	real := make([]float64, numel(shape))
	for i := range real {
		idx := unflatten(i, shape)
		x, y := ar[broadcastIndex(idx, p.a, shape)], br[broadcastIndex(idx, p.b, shape)]
		if mul {
			real[i] = x * y
		} else {
			real[i] = x + y
		}
	}
	out := outTensor(d, shape, real)
	gr := NewGraph()
	ia, ib := gr.in(a), gr.in(b)
	if mul {
		gr.Op(schema.OpMul, []int32{ia, ib}, []int32{gr.out(out)}, &schema.MulOptions{Activation: act})
	} else {
		gr.Op(schema.OpAdd, []int32{ia, ib}, []int32{gr.out(out)}, &schema.AddOptions{Activation: act})
	}
	return gr, []*tensor{a, b}, []want{{out: out, real: real, act: act}}
}

// unaryOp is an elementwise op with one input and no options (or beta).
type unaryOp struct {
	name string
	op   schema.BuiltinOperator
	f    func(x float64) float64
	// lo, hi: input range; out: output quantization, nil = calibrated.
	lo, hi float64
	out    func(d dtype) (float64, int32)
	act    schema.Activation // clamp applied after f
	opts   any               // the operator's options, if any
	types  []dtype           // dtypes under test; nil = float32, uint8, int8
}

// sigmoidOut is the fixed output quantization TFLite requires of 8-bit
// LOGISTIC and SOFTMAX: scale 1/256, the dtype's lowest code as zero point.
func sigmoidOut(d dtype) (float64, int32) {
	if d == i16 {
		return 1.0 / 32768, 0 // TFLite's int16 LOGISTIC and SOFTMAX
	}
	return 1.0 / 256, d.qmin
}

var unaryOps = []unaryOp{
	{name: "LOGISTIC", op: schema.OpLogistic, f: func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, lo: -8, hi: 8, out: sigmoidOut},
	{name: "HARD_SWISH", op: schema.OpHardSwish, f: func(x float64) float64 { return x * min(max(x+3, 0), 6) / 6 }, lo: -5, hi: 6},
	// RELU and RELU6 are the identity followed by the activation's clamp,
	// whose bounds TFLite quantizes like a fused activation's.
	{name: "RELU", op: schema.OpRelu, f: func(x float64) float64 { return x }, act: schema.ActRelu, lo: -3, hi: 4},
	{name: "RELU6", op: schema.OpRelu6, f: func(x float64) float64 { return x }, act: schema.ActRelu6, lo: -3, hi: 9},
}

// unaryShapes are the parameter combinations of the unary ops: a shape,
// and a factor widening the input range (changing the input scale).
var unaryShapes = []struct {
	shape []int
	widen float64
}{
	{[]int{1, 16}, 1},
	{[]int{2, 3, 5}, 0.5},
	{[]int{1, 4, 4, 7}, 1.5},
	{[]int{1, 300}, 1},
	{[]int{3, 1, 2, 2, 5}, 2},
	{[]int{1, 8, 8, 32}, 0.25},
}

func unaryCases() []opCase {
	var cs []opCase
	for _, u := range append(unaryOps, moreUnaryOps...) {
		types := u.types
		if types == nil {
			types = []dtype{f32, u8, i8}
		}
		for _, d := range types {
			for _, p := range unaryShapes {
				cs = append(cs, opCase{op: u.name, dtype: d.name, act: "none", params: fmt.Sprintf("in%v_range%g", p.shape, p.widen),
					build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, d, u, p.shape, p.widen, false) }})
				if (u.op == schema.OpRelu || u.op == schema.OpRelu6 || u.op == schema.OpReluN1To1) && !d.float() {
					// With equal input and output quantization the
					// integer result is exactly the clamped code.
					cs = append(cs, opCase{op: u.name, dtype: d.name, act: "none", params: fmt.Sprintf("in%v_range%g_samequant", p.shape, p.widen),
						build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildUnary(r, d, u, p.shape, p.widen, true) }})
				}
			}
		}
	}
	for _, d := range []dtype{f32, u8, i8, i16} {
		for _, p := range softmaxTable {
			cs = append(cs, opCase{op: "SOFTMAX", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_beta%g", p.shape, p.beta),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) { return buildSoftmax(r, d, p.shape, p.beta) }})
		}
	}
	return cs
}

func buildUnary(r *rand.Rand, d dtype, u unaryOp, shape []int, widen float64, sameQuant bool) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, shape, u.lo*widen, u.hi*widen)
	x := in.real()
	real := make([]float64, len(x))
	for i, v := range x {
		real[i] = u.f(v)
	}
	// Calibrate on the function over the whole input range, as a data set
	// would, not only on this input's values.
	calib := make([]float64, 0, len(x)+65)
	for _, v := range real {
		calib = append(calib, floatAct(u.act, v))
	}
	for i := range 65 {
		v := u.lo*widen + (u.hi-u.lo)*widen*float64(i)/64
		calib = append(calib, floatAct(u.act, u.f(v)))
	}
	var out *tensor
	switch {
	case sameQuant:
		out = in.like(shape)
	case u.out != nil:
		s, zp := u.out(d)
		out = fixedOut(d, shape, s, zp)
	default:
		out = outTensor(d, shape, calib)
	}
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(u.op, []int32{gi}, []int32{gr.out(out)}, u.opts)
	w := want{out: out, real: real, act: u.act, exact: sameQuant}
	if u.act != schema.ActNone && !d.float() {
		// RELU and RELU6 rescale the code like QUANTIZE does.
		w.alt = twoStepAll(in, out)
	}
	switch {
	case u.op == schema.OpSqrt && d == i8:
		w.alt = sqrtAlt(in, out)
	case u.op == schema.OpRsqrt && d == i8:
		w.alt = rsqrtAlt(in, out)
	}
	if o, ok := u.opts.(*schema.LeakyReluOptions); ok && !d.float() {
		// LEAKY_RELU rescales like QUANTIZE too, with s_in·α/s_out (in
		// float32) on the negative side.
		w.alt = make([]int32, len(in.q))
		sin, so := float32(in.scales[0]), float32(out.scales[0])
		for i, q := range in.q {
			m := float64(sin / so)
			if q < in.zp {
				m = float64(sin * o.Alpha / so)
			}
			w.alt[i] = out.zp + twoStep(q-in.zp, m)
		}
	}
	return gr, []*tensor{in}, []want{w}
}

var softmaxTable = []struct {
	shape []int
	beta  float64
}{
	{[]int{1, 10}, 1},
	{[]int{2, 5}, 0.5},
	{[]int{1, 3, 4, 7}, 1},
	{[]int{1, 1001}, 1},
	{[]int{4, 3}, 2.5},
	{[]int{1, 2, 16}, 0.1},
}

func buildSoftmax(r *rand.Rand, d dtype, shape []int, beta float64) (*Graph, []*tensor, []want) {
	in := randTensor(r, d, shape, -6, 6)
	x := in.real()
	depth := shape[len(shape)-1]
	real := make([]float64, len(x))
	for o := 0; o < len(x); o += depth {
		row := x[o : o+depth]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = max(mx, v)
		}
		sum := 0.0
		for i, v := range row {
			real[o+i] = math.Exp(beta * (v - mx))
			sum += real[o+i]
		}
		for i := range row {
			real[o+i] /= sum
		}
	}
	s, zp := sigmoidOut(d)
	out := fixedOut(d, shape, s, zp)
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(schema.OpSoftmax, []int32{gi}, []int32{gr.out(out)}, &schema.SoftmaxOptions{Beta: float32(beta)})
	w := want{out: out, real: real}
	if d == i16 {
		// The tables' error: ≤ 3·2⁻¹⁵, and exp below −10 reads exp(−10).
		w.steps = 3
	}
	return gr, []*tensor{in}, []want{w}
}

// quantizeTable are the conversions QUANTIZE supports.
var quantizeTable = []struct{ from, to dtype }{
	{f32, u8}, {f32, i8}, {u8, u8}, {u8, i8}, {i8, u8}, {i8, i8},
	{f32, i16}, {i16, i16}, {i16, i8}, {i8, i16},
}

var quantizeShapes = []struct {
	shape  []int
	lo, hi float64 // input range
	oscale float64 // output range relative to the input's
}{
	{[]int{1, 10}, -1, 1, 1},
	{[]int{2, 3, 4}, -3, 5, 0.7},
	{[]int{1, 4, 4, 3}, 0, 6, 1.3},
	{[]int{257}, -10, 2, 2}, // output scale ≈ 2× the input's: half the codes are rounding ties
	{[]int{1, 2, 2, 2, 9}, -0.01, 0.02, 0.5},
	{[]int{3, 50}, -4, 4, 1.37},
	{[]int{4, 40}, -3, 6, 2.25}, // multiplier 0.44: TFLite rounds twice
	{[]int{1, 100}, -1, 5, 5.1},
}

func quantizeCases() []opCase {
	var cs []opCase
	for _, c := range quantizeTable {
		for _, p := range quantizeShapes {
			cs = append(cs, opCase{op: "QUANTIZE", dtype: c.from.name + "→" + c.to.name, act: "none",
				params: fmt.Sprintf("in%v_range[%g,%g]_out×%g", p.shape, p.lo, p.hi, p.oscale),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					return buildQuantize(r, c.from, c.to, p.shape, p.lo, p.hi, p.oscale)
				}})
		}
	}
	return cs
}

// buildQuantize builds QUANTIZE from float32 or 8-bit to 8-bit, the output
// range oscale times as wide as the input's.
func buildQuantize(r *rand.Rand, from, to dtype, shape []int, lo, hi, oscale float64) (*Graph, []*tensor, []want) {
	in := randTensor(r, from, shape, lo, hi)
	mid, half := (lo+hi)/2, (hi-lo)/2*oscale
	s, zp := qparams(to, mid-half, mid+half)
	out := fixedOut(to, shape, s, zp)
	gr := NewGraph()
	gi := gr.in(in)
	gr.Op(schema.OpQuantize, []int32{gi}, []int32{gr.out(out)}, nil)
	w := want{out: out, real: in.real()}
	if !from.float() {
		w.alt = twoStepAll(in, out)
	}
	return gr, []*tensor{in}, []want{w}
}

// mbqm is TFLite's MultiplyByQuantizedMultiplier x·f·2^shift (f the
// multiplier as a real in [0.5, 1)) in plain arithmetic: a left shift is
// exact; the product x·f is rounded to an integer (half up); a right shift
// then divides rounding half away from zero. The first rounding moves the
// result by up to 2^(shift−1) steps, so with a right shift and a small x
// (an 8-bit code) up to a quarter of the results land one step from the
// exact x·f·2^shift.
func mbqm(x int32, f float64, shift int) int32 {
	if shift >= 0 {
		return int32(math.Floor(math.Ldexp(float64(x)*f, shift) + 0.5))
	}
	v := math.Floor(float64(x)*f + 0.5)
	return int32(math.Round(math.Ldexp(v, shift)))
}

// twoStep is mbqm for the real multiplier m, split as QuantizeMultiplier
// splits it.
func twoStep(x int32, m float64) int32 {
	f, e := math.Frexp(m)
	return mbqm(x, f, e)
}

// twoStepAll rescales every code of in to out's quantization with twoStep.
func twoStepAll(in, out *tensor) []int32 {
	alt := make([]int32, len(in.q))
	m := in.scales[0] / out.scales[0]
	for i, q := range in.q {
		alt[i] = out.zp + twoStep(q-in.zp, m)
	}
	return alt
}

func dequantizeCases() []opCase {
	var cs []opCase
	for _, d := range []dtype{u8, i8, i16} {
		for _, p := range quantizeShapes {
			cs = append(cs, opCase{op: "DEQUANTIZE", dtype: d.name + "→float32", act: "none",
				params: fmt.Sprintf("in%v_range[%g,%g]", p.shape, p.lo, p.hi),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := randTensor(r, d, p.shape, p.lo, p.hi)
					out := &tensor{d: f32, shape: p.shape}
					gr := NewGraph()
					gi := gr.in(in)
					gr.Op(schema.OpDequantize, []int32{gi}, []int32{gr.out(out)}, nil)
					return gr, []*tensor{in}, []want{{out: out, real: in.real(), tol: 1e-6}}
				}})
		}
	}
	return cs
}
