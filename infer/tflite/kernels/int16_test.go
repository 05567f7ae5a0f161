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
