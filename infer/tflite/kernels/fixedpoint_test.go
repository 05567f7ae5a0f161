package kernels

import (
	"math"
	"testing"
)

func TestQuantizeMultiplier(t *testing.T) {
	tests := []struct {
		real  float64
		m     int32
		shift int
	}{
		{0, 0, 0},
		{0.5, 1 << 30, 0},
		{1, 1 << 30, 1},
		{0.25, 1 << 30, -1},
		{0.75, 1610612736, 0},
		{1e-12, 0, 0}, // below 2^-31 range: flushed to zero, as TFLite does
	}
	for _, tt := range tests {
		m, s := QuantizeMultiplier(tt.real)
		if m != tt.m || s != tt.shift {
			t.Errorf("QuantizeMultiplier(%g) = (%d, %d); want (%d, %d)", tt.real, m, s, tt.m, tt.shift)
		}
	}
}

func TestSaturatingRoundingDoublingHighMul(t *testing.T) {
	tests := []struct{ a, b, want int32 }{
		{math.MinInt32, math.MinInt32, math.MaxInt32},
		{1 << 30, 1 << 30, 1 << 29},
		{3, 1 << 30, 2},   // 1.5 -> 2: gemmlowp's nudge rounds ties up
		{-3, 1 << 30, -1}, // -1.5 -> -1
		{1, 1 << 30, 1},   // 0.5 -> 1
		{-1, 1 << 30, 0},  // -0.5 -> 0
	}
	for _, tt := range tests {
		if got := SaturatingRoundingDoublingHighMul(tt.a, tt.b); got != tt.want {
			t.Errorf("SaturatingRoundingDoublingHighMul(%d, %d) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestRoundingDivideByPOT(t *testing.T) {
	tests := []struct {
		x    int32
		e    int
		want int32
	}{
		{5, 1, 3}, {-5, 1, -3}, {4, 1, 2}, {7, 2, 2}, {-7, 2, -2}, {6, 2, 2}, {-6, 2, -2}, {9, 0, 9},
	}
	for _, tt := range tests {
		if got := RoundingDivideByPOT(tt.x, tt.e); got != tt.want {
			t.Errorf("RoundingDivideByPOT(%d, %d) = %d; want %d", tt.x, tt.e, got, tt.want)
		}
	}
}

func TestMultiplyByQuantizedMultiplierRounding(t *testing.T) {
	// 0.25 = 2^30 · 2^(−1−31): one doubling-high-mul step, one shift by 1.
	m, s := QuantizeMultiplier(0.25)
	for _, tt := range []struct{ x, ref, up int32 }{
		{2, 1, 1}, {-2, -1, 0}, {-6, -2, -1}, {6, 2, 2}, {8, 2, 2}, {-8, -2, -2},
	} {
		if got := MultiplyByQuantizedMultiplier(tt.x, m, s); got != tt.ref {
			t.Errorf("MultiplyByQuantizedMultiplier(%d, 0.25) = %d; want %d", tt.x, got, tt.ref)
		}
		if got := MultiplyByQuantizedMultiplierHalfUp(tt.x, m, s); got != tt.up {
			t.Errorf("MultiplyByQuantizedMultiplierHalfUp(%d, 0.25) = %d; want %d", tt.x, got, tt.up)
		}
	}
}
