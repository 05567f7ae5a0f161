package kernels

import (
	"math"
	"testing"
)

// TestSigmoidTable16 checks the shape of the int16 sigmoid table: it starts
// at one half, rises, ends saturated, and its linear interpolation stays
// within one 0.16 step of sigmoid between entries (the point of TFLite's
// midpoint bias).
func TestSigmoidTable16(t *testing.T) {
	tb := sigmoidTable16
	if tb[0] != 32768 || tb[255] != 65535 {
		t.Fatalf("table ends %d, %d; want 32768, 65535", tb[0], tb[255])
	}
	worst := 0.0
	for i := 0; i < 255; i++ {
		if tb[i+1] < tb[i] {
			t.Fatalf("table falls at %d: %d then %d", i, tb[i], tb[i+1])
		}
		for f := 0.0; f <= 1; f += 1.0 / 16 {
			interp := float64(tb[i]) + f*(float64(tb[i+1])-float64(tb[i]))
			exact := 65536 / (1 + math.Exp(-(float64(i)+f)/24))
			worst = max(worst, math.Abs(interp-exact))
		}
	}
	if worst > 1.5 {
		t.Errorf("interpolation is %.2f steps from sigmoid at worst; want ≤ 1.5", worst)
	}
}

// TestMultiplyByQuantizedMultiplier64 checks the int64 form against its
// definition on a few values: the multiplier reduced to 15 bits.
func TestMultiplyByQuantizedMultiplier64(t *testing.T) {
	for _, c := range []struct {
		x     int64
		m     int32
		shift int
		want  int32
	}{
		{1000, 1 << 30, 0, 500},          // ×0.5
		{-1000, 1 << 30, 0, -500},        // ×0.5
		{3, 1 << 30, -1, 1},              // 0.75 rounds half up to 1
		{-3, 1 << 30, -1, -1},            // −0.75 → −1
		{1 << 40, 1 << 30, -20, 1 << 19}, // large accumulator
		{7, 0x7FFFFFFF, 0, 7},            // multiplier ≈ 1 saturates to 0x7FFF
	} {
		if got := MultiplyByQuantizedMultiplier64(c.x, c.m, c.shift); got != c.want {
			t.Errorf("MultiplyByQuantizedMultiplier64(%d, %d, %d) = %d; want %d", c.x, c.m, c.shift, got, c.want)
		}
	}
}

// BenchmarkConvInt16 is the 16x8 CONV_2D direct loop on a MobileNet-sized
// layer: 56×56×64 → 64, 3×3, one thread.
func BenchmarkConvInt16(b *testing.B) {
	p := ConvParams{N: 1, InH: 56, InW: 56, InC: 64, KH: 3, KW: 3, StrideH: 1, StrideW: 1,
		DilationH: 1, DilationW: 1, PadTop: 1, PadLeft: 1, OutH: 56, OutW: 56, OutC: 64}
	in := make([]int16, 56*56*64)
	filter := make([]int8, 64*3*3*64)
	for i := range in {
		in[i] = int16(i*7919%65536 - 32768)
	}
	for i := range filter {
		filter[i] = int8(i * 31 % 256)
	}
	out := make([]int16, 56*56*64)
	q := &Quant16Params{Multiplier: []int32{1 << 30}, Shift: []int{-20}, ActMin: -32768, ActMax: 32767}
	b.ResetTimer()
	for range b.N {
		ConvInt16(&p, false, in, filter, nil, out, q, nil, nil)
	}
	b.ReportMetric(float64(56*56*64*64*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
}
