package kernels

import (
	"math"
	"testing"
)

// TestDivUint8 checks uint8 DIV against the exact quotient where TFLite's
// arithmetic is well defined: within one step.
func TestDivUint8(t *testing.T) {
	s1, s2, so := float32(0.05), float32(0.02), float32(0.1)
	p := PrepareDiv(s1, 10, s2, 0, so, 0)
	p.ActMin, p.ActMax = 0, 255
	for _, c := range []struct{ a, b int32 }{{110, 50}, {200, 1}, {60, 255}, {255, 7}, {10, 9}, {130, 3}} {
		got := p.div(c.a, c.b)
		exact := float64(s1) * float64(c.a-10) / (float64(s2) * float64(c.b)) / float64(so)
		if math.Abs(float64(got)-min(exact, 255)) > 1 {
			t.Errorf("div(%d, %d) = %d; exact %.3f", c.a, c.b, got, exact)
		}
	}
}

// TestDivPast31 pins TFLite's behaviour for small numerators, where its
// rounding shift exceeds 31 bits: outputs observed from TFLite-wasm for
// the model DIV/uint8/none/[1 4 4 3]_[1 4 4 3] of optest (scales
// 0.035294119/zp 113, 0.011764706/zp 0, output 0.82950824/zp 5).
func TestDivPast31(t *testing.T) {
	p := PrepareDiv(0.035294119, 113, 0.011764706, 0, 0.82950824, 5)
	p.ActMin, p.ActMax = 0, 255
	for _, c := range []struct{ a, b, want int32 }{{115, 81, 255}, {100, 226, 0}, {124, 145, 255}} {
		if got := p.div(c.a, c.b); got != c.want {
			t.Errorf("div(%d, %d) = %d; TFLite gives %d", c.a, c.b, got, c.want)
		}
	}
}
