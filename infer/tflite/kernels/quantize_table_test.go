package kernels

import "testing"

// TestRequantTableMatchesDirect checks that long inputs (table path) give
// the bytes of the per-element MultiplyByQuantizedMultiplier loop, for
// every input value, both directions and several scale ratios.
func TestRequantTableMatchesDirect(t *testing.T) {
	params := []RequantParams{
		PrepareRequant(0.5, 128, 0.5, 0),
		PrepareRequant(0.0078125, 128, 0.0078125, 0),
		PrepareRequant(0.02, 3, 0.037, -7),
		PrepareRequant(0.9, 0, 0.01, 100),
		PrepareRequant(0.001, -128, 0.3, 127),
	}
	for i, p := range params {
		requantTableCase[uint8, int8](t, i, &p)
		requantTableCase[int8, uint8](t, i, &p)
		requantTableCase[uint8, uint8](t, i, &p)
		requantTableCase[int8, int8](t, i, &p)
	}
}

func requantTableCase[I, O int8like](t *testing.T, i int, p *RequantParams) {
	in := make([]I, 4096)
	for k := range in {
		in[k] = I(k * 7)
	}
	got := make([]O, len(in))
	Requant(p, in, got)
	want := make([]O, len(in))
	for k := 0; k < len(in); k += 512 {
		Requant(p, in[k:k+512], want[k:k+512]) // short: the direct loop
	}
	for k := range got {
		if got[k] != want[k] {
			t.Fatalf("params %d %+v: in %d → %d; want %d", i, *p, in[k], got[k], want[k])
		}
	}
}
