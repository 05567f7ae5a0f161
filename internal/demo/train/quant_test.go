package train

import (
	"math"
	"slices"
	"testing"
)

func TestChooseQParams(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		want   QParams
	}{
		// ReLU output: min 0 gives zero point −128 exactly.
		{"relu", 0, 6.375, QParams{Scale: 0.025, ZeroPoint: -128}},
		// The range is widened to include 0.
		{"positive only", 2, 6.375, QParams{Scale: 0.025, ZeroPoint: -128}},
		{"negative only", -5.1, -1, QParams{Scale: 0.02, ZeroPoint: 127}},
		// Symmetric-ish range: zero point −128 + 1/0.02 = −78.
		{"mixed", -1, 4.1, QParams{Scale: 0.02, ZeroPoint: -78}},
		// Zero point from min is −128 + 0.7/0.01 = −58.0 … nudged to
		// an integer by rounding: −128 + 70.4 = −57.6 → −58.
		{"nudged", -0.704, 1.846, QParams{Scale: 0.01, ZeroPoint: -58}},
		// A single point gets scale 1, zero point 0.
		{"zero", 0, 0, QParams{Scale: 1, ZeroPoint: 0}},
	}
	for _, tt := range tests {
		got := ChooseQParams(tt.lo, tt.hi)
		if math.Abs(float64(got.Scale-tt.want.Scale)) > 1e-6 || got.ZeroPoint != tt.want.ZeroPoint {
			t.Errorf("%s: ChooseQParams(%v, %v) = %+v; want %+v", tt.name, tt.lo, tt.hi, got, tt.want)
		}
		// 0 is exactly representable: the whole point of nudging.
		if got.Dequantize(int8(got.ZeroPoint)) != 0 {
			t.Errorf("%s: zero point %d does not represent 0", tt.name, got.ZeroPoint)
		}
		// lo and hi (widened to 0) quantize within one step of the ends.
		lo, hi := min(tt.lo, 0), max(tt.hi, 0)
		if tt.lo != tt.hi {
			if q := got.Quantize(lo); q > -127 {
				t.Errorf("%s: Quantize(lo %v) = %d; want −128 or −127", tt.name, lo, q)
			}
			if q := got.Quantize(hi); q < 126 {
				t.Errorf("%s: Quantize(hi %v) = %d; want 126 or 127", tt.name, hi, q)
			}
		}
	}
}

func TestSymmetricPerChannel(t *testing.T) {
	tests := []struct {
		name       string
		w          []float32
		channels   int
		wantQ      []int8
		wantScales []float32
	}{
		{"two channels", []float32{1.27, -0.635, 0, -2.54, 1.27, 0.01}, 2,
			[]int8{127, -64, 0, -127, 64, 1}, []float32{0.01, 0.02}},
		{"negative max", []float32{-0.5, 0.25}, 1, []int8{-127, 64}, []float32{0.5 / 127}},
		{"zero channel", []float32{0, 0, 3, -3}, 2, []int8{0, 0, 127, -127}, []float32{1, 3.0 / 127}},
	}
	for _, tt := range tests {
		q, s := SymmetricPerChannel(tt.w, tt.channels)
		if !slices.Equal(q, tt.wantQ) {
			t.Errorf("%s: q = %v; want %v", tt.name, q, tt.wantQ)
		}
		for i := range s {
			if math.Abs(float64(s[i]-tt.wantScales[i])) > 1e-7 {
				t.Errorf("%s: scale[%d] = %v; want %v", tt.name, i, s[i], tt.wantScales[i])
			}
		}
		// Every quantized value is within half a step of the weight.
		per := len(tt.w) / tt.channels
		for i, v := range tt.w {
			sc := s[i/per]
			if d := math.Abs(float64(q[i])*float64(sc) - float64(v)); d > float64(sc)/2+1e-7 {
				t.Errorf("%s: w[%d] = %v quantized to %d·%v, off by %v", tt.name, i, v, q[i], sc, d)
			}
		}
	}
}

func TestQuantizeBias(t *testing.T) {
	tests := []struct {
		name       string
		b          []float32
		inScale    float32
		wScales    []float32
		wantQ      []int32
		wantScales []float32
	}{
		{"per channel", []float32{0.5, -0.25}, 0.5, []float32{0.01, 0.001}, []int32{100, -500}, []float32{0.005, 0.0005}},
		{"per tensor", []float32{1, -1, 0.0126}, 0.1, []float32{0.01}, []int32{1000, -1000, 13}, []float32{0.001, 0.001, 0.001}},
		{"saturates", []float32{1e9}, 1e-3, []float32{1e-3}, []int32{math.MaxInt32}, []float32{1e-6}},
	}
	for _, tt := range tests {
		q, s := QuantizeBias(tt.b, tt.inScale, tt.wScales)
		if !slices.Equal(q, tt.wantQ) {
			t.Errorf("%s: q = %v; want %v", tt.name, q, tt.wantQ)
		}
		for i := range s {
			if math.Abs(float64(s[i]-tt.wantScales[i])) > 1e-9 {
				t.Errorf("%s: scale[%d] = %v; want %v (input scale × weight scale)", tt.name, i, s[i], tt.wantScales[i])
			}
		}
	}
}

func TestFixedIOParams(t *testing.T) {
	// Input: q = pixel − 128, real = pixel/255.
	for _, p := range []int{0, 1, 128, 254, 255} {
		q := InputParams.Quantize(float64(p) / 255)
		if int(q) != p-128 {
			t.Errorf("input pixel %d quantizes to %d; want %d", p, q, p-128)
		}
	}
	if SoftmaxParams.Scale != 1.0/256 || SoftmaxParams.ZeroPoint != -128 {
		t.Errorf("SoftmaxParams = %+v; want scale 1/256, zero point −128", SoftmaxParams)
	}
}
