package kernels

import (
	"math"
	"slices"
	"testing"
)

func TestQuantActivationRange(t *testing.T) {
	tests := []struct {
		name       string
		act        Activation
		scale      float32
		zp         int32
		qmin, qmax int32
		lo, hi     int32
	}{
		{"none uint8", ActNone, 0.1, 10, 0, 255, 0, 255},
		{"relu uint8", ActRelu, 0.1, 10, 0, 255, 10, 255},
		{"relu6 uint8", ActRelu6, 0.1, 10, 0, 255, 10, 70},
		{"relu6 clipped by type", ActRelu6, 0.01, 0, 0, 255, 0, 255},
		{"relu_n1_to_1 int8", ActReluN1To1, 0.01, -5, -128, 127, -105, 95},
		{"relu int8 negative zp", ActRelu, 0.5, -128, -128, 127, -128, 127},
	}
	for _, tt := range tests {
		lo, hi := QuantActivationRange(tt.act, tt.scale, tt.zp, tt.qmin, tt.qmax)
		if lo != tt.lo || hi != tt.hi {
			t.Errorf("%s: QuantActivationRange = [%d, %d]; want [%d, %d]", tt.name, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestMakeBroadcast4(t *testing.T) {
	tests := []struct {
		a, b, out []int
		ok, flat  bool
	}{
		{[]int{1, 4, 4, 8}, []int{1, 4, 4, 8}, []int{1, 4, 4, 8}, true, true},
		{[]int{1, 4, 4, 8}, []int{8}, []int{1, 4, 4, 8}, true, false},
		{[]int{2, 1}, []int{1, 3}, []int{2, 3}, true, false},
		{[]int{2, 3}, []int{4}, nil, false, false},
		{[]int{1, 1, 1, 1, 2}, []int{2}, nil, false, false},
	}
	for _, tt := range tests {
		bc, out, ok := MakeBroadcast4(tt.a, tt.b)
		if ok != tt.ok || !slices.Equal(out, tt.out) || (ok && bc.Flat != tt.flat) {
			t.Errorf("MakeBroadcast4(%v, %v) = %v, %v (flat %v); want %v, %v (flat %v)", tt.a, tt.b, out, ok, bc.Flat, tt.out, tt.ok, tt.flat)
		}
	}
}

// TestAddQuant checks quantized ADD against the real-valued sum: within one
// step everywhere, exact where the sum is representable.
func TestAddQuant(t *testing.T) {
	tests := []struct {
		name       string
		s1, s2, so float32
		z1, z2, zo int32
	}{
		{"equal scales", 0.1, 0.1, 0.2, 128, 128, 128},
		{"different scales", 0.05, 0.2, 0.25, 100, 130, 120},
		{"output finer", 0.3, 0.3, 0.1, 128, 128, 0},
	}
	for _, tt := range tests {
		p := PrepareAdd(tt.s1, tt.z1, tt.s2, tt.z2, tt.so, tt.zo)
		p.ActMin, p.ActMax = 0, 255
		bc, _, _ := MakeBroadcast4([]int{256}, []int{256})
		a, b, out := make([]uint8, 256), make([]uint8, 256), make([]uint8, 256)
		for i := range a {
			a[i], b[i] = uint8(i), uint8(255-i/2)
		}
		AddQuant(&p, &bc, a, b, out, nil, nil)
		for i := range out {
			real := float64(tt.s1)*float64(int32(a[i])-tt.z1) + float64(tt.s2)*float64(int32(b[i])-tt.z2)
			want := math.Max(0, math.Min(255, math.Round(real/float64(tt.so))+float64(tt.zo)))
			if d := math.Abs(float64(out[i]) - want); d > 1 {
				t.Fatalf("%s: %d+%d = %d; real result %g quantizes to %g", tt.name, a[i], b[i], out[i], real, want)
			}
		}
	}
}

func TestMulQuantBroadcast(t *testing.T) {
	p := PrepareMul(0.5, 0, 0.25, 0, 0.125, 0)
	p.ActMin, p.ActMax = -128, 127
	bc, shape, ok := MakeBroadcast4([]int{2, 3}, []int{3})
	if !ok || !slices.Equal(shape, []int{2, 3}) {
		t.Fatalf("MakeBroadcast4 = %v, %v", shape, ok)
	}
	a := []int8{1, 2, 3, 4, 5, 6}
	b := []int8{1, 2, -1}
	out := make([]int8, 6)
	MulQuant(&p, &bc, a, b, out)
	// real = 0.5a·0.25b = 0.125ab → q = a·b.
	want := []int8{1, 4, -3, 4, 10, -6}
	if !slices.Equal(out, want) {
		t.Errorf("MulQuant = %v; want %v", out, want)
	}
}

func TestAvgPoolQuantRounding(t *testing.T) {
	p := PoolParams{N: 1, InH: 1, InW: 2, C: 1, OutH: 1, OutW: 1, KH: 1, KW: 2, StrideH: 1, StrideW: 2}
	tests := []struct {
		in   []int8
		want int8
	}{
		{[]int8{1, 2}, 2},    // 1.5 rounds away from zero
		{[]int8{-1, -2}, -2}, // −1.5 rounds away from zero
		{[]int8{1, 1}, 1},
		{[]int8{-128, 127}, -1}, // −0.5 → −1
		{[]int8{0, 1}, 1},
	}
	acc := make([]int32, 1)
	for _, tt := range tests {
		out := make([]int8, 1)
		AvgPoolQuant(&p, tt.in, out, -128, 127, acc)
		if out[0] != tt.want {
			t.Errorf("AvgPoolQuant(%v) = %d; want %d", tt.in, out[0], tt.want)
		}
	}
}

func TestPoolsClipWindowAtBorder(t *testing.T) {
	// 3x3 input, 2x2 window, stride 2, SAME padding 0: the last row and
	// column windows see only the valid pixels.
	p := PoolParams{N: 1, InH: 3, InW: 3, C: 1, OutH: 2, OutW: 2, KH: 2, KW: 2, StrideH: 2, StrideW: 2}
	in := []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9}
	avg := make([]uint8, 4)
	AvgPoolQuant(&p, in, avg, 0, 255, make([]int32, 1))
	if want := []uint8{3, 5, 8, 9}; !slices.Equal(avg, want) {
		t.Errorf("AvgPoolQuant = %v; want %v", avg, want)
	}
	mx := make([]uint8, 4)
	MaxPoolQuant(&p, in, mx, 0, 255)
	if want := []uint8{5, 6, 8, 9}; !slices.Equal(mx, want) {
		t.Errorf("MaxPoolQuant = %v; want %v", mx, want)
	}
	fin := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	favg := make([]float32, 4)
	AvgPoolFloat32(&p, fin, favg, -maxFloat32, maxFloat32, make([]float32, 1))
	if want := []float32{3, 4.5, 7.5, 9}; !slices.Equal(favg, want) {
		t.Errorf("AvgPoolFloat32 = %v; want %v", favg, want)
	}
}

func TestSoftmaxQuant(t *testing.T) {
	l := PrepareSoftmaxLUT(0.1, 1, 1.0/256, 0)
	in := []uint8{7, 7, 7, 7}
	out := make([]uint8, 4)
	SoftmaxQuant(l, 4, in, out)
	if want := []uint8{64, 64, 64, 64}; !slices.Equal(out, want) {
		t.Errorf("uniform SoftmaxQuant = %v; want %v", out, want)
	}
	li := PrepareSoftmaxLUT(1, 1, 1.0/256, -128)
	ini := []int8{100, 0, 0, 0}
	outi := make([]int8, 4)
	SoftmaxQuant(li, 4, ini, outi)
	if want := []int8{127, -128, -128, -128}; !slices.Equal(outi, want) {
		t.Errorf("peaked int8 SoftmaxQuant = %v; want %v", outi, want)
	}
	// Two rows are independent.
	in2 := []uint8{0, 0, 255, 0}
	out2 := make([]uint8, 4)
	SoftmaxQuant(l, 2, in2, out2)
	if out2[0] != 128 || out2[1] != 128 || out2[2] != 255 || out2[3] != 0 {
		t.Errorf("two-row SoftmaxQuant = %v; want [128 128 255 0]", out2)
	}
}

func TestSoftmaxFloat32(t *testing.T) {
	in := []float32{1, 2, 3}
	out := make([]float32, 3)
	SoftmaxFloat32(3, 1, in, out)
	sum := math.Exp(1) + math.Exp(2) + math.Exp(3)
	for i, v := range out {
		if want := math.Exp(float64(in[i])) / sum; math.Abs(float64(v)-want) > 1e-6 {
			t.Errorf("SoftmaxFloat32[%d] = %g; want %g", i, v, want)
		}
	}
}

func TestMeanHWQuant(t *testing.T) {
	tests := []struct {
		name              string
		inScale, outScale float32
		inZP, outZP       int32
		in                []int8
		want              int8
	}{
		{"same quantization", 1, 1, 0, 0, []int8{1, 2, 3, 4}, 3}, // 2.5 rounds up
		{"negative", 1, 1, 0, 0, []int8{-1, -2, -3, -4}, -3},     // −2.5 rounds away from zero
		{"rescaled", 0.5, 0.25, -128, -128, []int8{-128, -128, -120, -120}, -120},
	}
	for _, tt := range tests {
		p := PrepareMeanHW(1, 2, 2, 1, tt.inScale, tt.inZP, tt.outScale, tt.outZP)
		out := make([]int8, 1)
		MeanHWQuant(&p, tt.in, out, make([]int32, 1))
		if out[0] != tt.want {
			t.Errorf("%s: MeanHWQuant(%v) = %d; want %d", tt.name, tt.in, out[0], tt.want)
		}
	}
}

func TestMeanQuantGeneralAndFloat(t *testing.T) {
	r := MakeReduction([]int{2, 3}, []bool{true, false})
	if r.OutSize != 3 || r.Count != 2 {
		t.Fatalf("MakeReduction = %+v", r)
	}
	m, s := QuantizeMultiplier(1)
	in := []uint8{10, 20, 30, 12, 22, 33}
	out := make([]uint8, 3)
	MeanQuantGeneral(&r, 0, 0, m, s, in, out, make([]int32, 3))
	if want := []uint8{11, 21, 32}; !slices.Equal(out, want) {
		t.Errorf("MeanQuantGeneral = %v; want %v", out, want)
	}
	fout := make([]float32, 3)
	MeanFloat32(&r, []float32{1, 2, 3, 2, 4, 6}, fout)
	if want := []float32{1.5, 3, 4.5}; !slices.Equal(fout, want) {
		t.Errorf("MeanFloat32 = %v; want %v", fout, want)
	}
}

func TestRequantAndQuantize(t *testing.T) {
	p := PrepareRequant(0.5, 128, 0.5, 0)
	in := []uint8{0, 127, 128, 255}
	out := make([]int8, 4)
	r := PrepareRequant8[uint8, int8](&p)
	r.Apply(in, bytesOf(out))
	if want := []int8{-128, -1, 0, 127}; !slices.Equal(out, want) {
		t.Errorf("Requant8.Apply = %v; want %v", out, want)
	}
	q := make([]uint8, 5)
	QuantizeFloat32(0.5, 10, []float32{0, 0.25, -0.25, 1e9, -1e9}, q)
	if want := []uint8{10, 11, 9, 255, 0}; !slices.Equal(q, want) {
		t.Errorf("QuantizeFloat32 = %v; want %v", q, want)
	}
	f := make([]float32, 2)
	DequantizeToFloat32(0.5, -3, []int8{-3, 1}, f)
	if want := []float32{0, 2}; !slices.Equal(f, want) {
		t.Errorf("DequantizeToFloat32 = %v; want %v", f, want)
	}
}

func TestLUTAndActivations(t *testing.T) {
	var lut LUT8
	PopulateLUT[uint8](&lut, 0.1, 128, 1.0/256, 0, LogisticFunc)
	if lut[128] != 128 || lut[0] != 0 || lut[255] != 255 {
		t.Errorf("logistic LUT: f(0)=%d f(−12.8)=%d f(12.7)=%d; want 128, 0, 255", lut[128], lut[0], lut[255])
	}
	out := make([]uint8, 3)
	ApplyLUT(&lut, []uint8{0, 128, 255}, out)
	if !slices.Equal(out, []uint8{0, 128, 255}) {
		t.Errorf("ApplyLUT = %v", out)
	}
	hs, ok := PrepareHardSwish(0.05, 0, 0.05, 0)
	if !ok {
		t.Fatal("PrepareHardSwish refused equal scales")
	}
	in := []int8{-100, -60, 0, 20, 60, 100}
	got := make([]int8, len(in))
	HardSwishQuant(&hs, in, got)
	for i, v := range in {
		x := 0.05 * float64(v)
		want := x * math.Min(math.Max(x+3, 0), 6) / 6 / 0.05
		if math.Abs(float64(got[i])-want) > 1 {
			t.Errorf("HardSwishQuant(%d) = %d; want ≈ %.2f", v, got[i], want)
		}
	}
	rp := ReluXParams{InputZP: 5, OutputZP: 5, Multiplier: 1 << 30, Shift: 1}
	rp.Lo, rp.Hi = QuantReluXRange(0, 6, 0.1, 5, 0, 255)
	r := make([]uint8, 3)
	ReluXQuant(&rp, []uint8{0, 30, 200}, r)
	if want := []uint8{5, 30, 65}; !slices.Equal(r, want) {
		t.Errorf("ReluXQuant = %v; want %v", r, want)
	}
}

func TestLayoutKernels(t *testing.T) {
	tp := TransposeParams{InShape: []int{2, 3, 2}, Perm: []int{2, 0, 1}}
	in := []uint8{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	out := make([]uint8, 12)
	Transpose(&tp, in, out)
	if want := []uint8{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}; !slices.Equal(out, want) {
		t.Errorf("Transpose = %v; want %v", out, want)
	}
	pp := PadParams{InShape: []int{2, 2}, Before: []int{1, 0}, After: []int{0, 1}}
	pout := make([]float32, 9)
	Pad(&pp, []float32{1, 2, 3, 4}, pout, -1)
	if want := []float32{-1, -1, -1, 1, 2, -1, 3, 4, -1}; !slices.Equal(pout, want) {
		t.Errorf("Pad = %v; want %v", pout, want)
	}
	cout := make([]uint8, 6)
	Concat(2, []int{1, 2}, [][]uint8{{1, 2}, {3, 4, 5, 6}}, cout)
	if want := []uint8{1, 3, 4, 2, 5, 6}; !slices.Equal(cout, want) {
		t.Errorf("Concat = %v; want %v", cout, want)
	}
	rs := ConcatQuantInput{Rescale: true, Scale: 2, Bias: -20}
	rout := make([]uint8, 3)
	RescaleQuant(&rs, 5, []uint8{10, 11, 200}, rout)
	if want := []uint8{5, 7, 255}; !slices.Equal(rout, want) {
		t.Errorf("RescaleQuant = %v; want %v", rout, want)
	}
}

// TestMBQMMatchesReference checks the inlined multiply against
// MultiplyByQuantizedMultiplier, ties included.
func TestMBQMMatchesReference(t *testing.T) {
	xs := []int32{0, 1, -1, 2, -2, 3, -3, 1 << 20, -(1 << 20), 12345678, -12345678, math.MaxInt32, math.MinInt32 + 1, 1 << 29, -(1 << 29)}
	for v := int32(-4096); v <= 4096; v += 7 {
		xs = append(xs, v, v<<10, v<<19)
	}
	for _, real := range []float64{0.5, 0.75, 0.0001, 0.3, 0.999999, 1.5, 3.25, 1e-6, 0.25} {
		m, s := QuantizeMultiplier(real)
		l, r := splitShift(s)
		for _, x := range xs {
			if x<<l>>l != x {
				continue // overflows the left shift
			}
			if got, want := mbqm(x, int64(m), l, r), MultiplyByQuantizedMultiplier(x, m, s); got != want {
				t.Fatalf("mbqm(%d, %g) = %d; MultiplyByQuantizedMultiplier = %d", x, real, got, want)
			}
		}
	}
}

func TestSaturatingRoundingDoublingHighMulTiesRoundUp(t *testing.T) {
	tests := []struct{ a, b, want int32 }{
		{1 << 29, 1, 0},     // 2ab/2^32 = 0.25 → 0
		{1 << 30, 1, 1},     // 0.5 → 1
		{-(1 << 30), 1, 0},  // −0.5 → 0
		{-(3 << 29), 2, -1}, // −1.5 → −1
		{3 << 29, 2, 2},     // 1.5 → 2
	}
	for _, tt := range tests {
		if got := SaturatingRoundingDoublingHighMul(tt.a, tt.b); got != tt.want {
			t.Errorf("SaturatingRoundingDoublingHighMul(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
