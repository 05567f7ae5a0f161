package kernels

import "testing"

// TestRequantTableMatchesDirect checks the prepared 8-bit requantization
// (its table, or its one-offset form) against the per-element
// MultiplyByQuantizedMultiplier formula, for every input byte, every
// pairing of uint8 and int8, and several scale ratios: equal scales with
// zero points 128 or 127 and −1 apart (the offset form for uint8 → int8),
// rescaled, and clamped.
func TestRequantTableMatchesDirect(t *testing.T) {
	params := []RequantParams{
		PrepareRequant(0.5, 128, 0.5, 0),
		PrepareRequant(0.0078125, 128, 0.0078125, 0),
		PrepareRequant(0.0078431377, 127, 0.0078431377, -1),
		PrepareRequant(0.02, 3, 0.037, -7),
		PrepareRequant(0.9, 0, 0.01, 100),
		PrepareRequant(0.001, -128, 0.3, 127),
		PrepareRequant(0.1, 128, 0.01, 3),
	}
	offsets := 0
	for i, p := range params {
		offsets += requantTableCase[uint8, int8](t, i, &p)
		offsets += requantTableCase[int8, uint8](t, i, &p)
		offsets += requantTableCase[uint8, uint8](t, i, &p)
		offsets += requantTableCase[int8, int8](t, i, &p)
	}
	if offsets == 0 {
		t.Error("no case took the one-offset form")
	}
}

// requantTableCase checks one pairing over a long input (every byte
// value, many times) and reports whether it took the one-offset form.
func requantTableCase[I, O int8like](t *testing.T, i int, p *RequantParams) int {
	t.Helper()
	r := PrepareRequant8[I, O](p)
	in := make([]I, 4096+5)
	for k := range in {
		in[k] = I(k * 7)
	}
	got := make([]O, len(in))
	r.Apply(bytesOf(in), bytesOf(got))
	lo, hi := Limits[O]()
	for k, v := range in {
		d := MultiplyByQuantizedMultiplier(int32(v)-p.InZP, p.Multiplier, p.Shift) + p.OutZP
		if want := O(min(max(d, lo), hi)); got[k] != want {
			t.Fatalf("params %d %+v: in %d → %d; want %d", i, *p, v, got[k], want)
		}
	}
	if r.isOffset {
		return 1
	}
	return 0
}
