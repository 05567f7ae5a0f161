package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestAddFlatMatchesReference checks the flat ADD of every kernel path
// against the scalar reference (AddParams.add, TFLite's arithmetic through
// fixedpoint.go) on every pair of 8-bit values, for scales that give
// left and right shifts, offsets at the ends of the range and narrow
// activation ranges.
func TestAddFlatMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	tests := []struct {
		s1, s2, so float32
		z1, z2, zo int32
		lo, hi     int32
	}{
		{0.1, 0.1, 0.2, 128, 128, 128, 0, 255},
		{0.05, 0.2, 0.25, 100, 130, 120, 0, 255},
		{0.3, 0.3, 0.1, 128, 128, 0, 0, 255},
		{0.02, 0.9, 0.003, 0, 255, 255, 0, 255},
		{1.5, 0.0001, 7, 255, 0, 3, 10, 200},
		{0.0123, 0.0456, 0.0234, -128, 127, -5, -128, 127},
		{0.5, 0.25, 0.001, 127, -128, 127, -128, 127},
		{0.07, 0.07, 0.07, 3, -7, 0, 0, 127},
	}
	for range 12 {
		tests = append(tests, struct {
			s1, s2, so float32
			z1, z2, zo int32
			lo, hi     int32
		}{r.Float32()*0.5 + 1e-3, r.Float32()*0.5 + 1e-3, r.Float32()*0.5 + 1e-3, r.Int32N(256) - 128, r.Int32N(256) - 128, r.Int32N(256) - 128, -128, 127})
	}
	pool := NewPool(3)
	defer pool.Close()
	s := NewScratch(0)
	forEachPath(t, func(path Path) {
		for i, tt := range tests {
			p := PrepareAdd(tt.s1, tt.z1, tt.s2, tt.z2, tt.so, tt.zo)
			p.ActMin, p.ActMax = tt.lo, tt.hi
			signed := tt.lo < 0
			// Every pair (a, b), plus an odd tail of 5 elements.
			n := 256*256 + 5
			a, b := make([]uint8, n), make([]uint8, n)
			for k := range n {
				a[k], b[k] = uint8(k), uint8(k>>8)
			}
			bc, _, _ := MakeBroadcast4([]int{n}, []int{n})
			check := func(got func(k int) int32) {
				for k := range n {
					x, y := int32(a[k]), int32(b[k])
					if signed {
						x, y = int32(int8(a[k])), int32(int8(b[k]))
					}
					if want := p.add(x, y); got(k) != want {
						t.Fatalf("%v case %d %+v: add(%d, %d) = %d; want %d", path, i, tt, x, y, got(k), want)
					}
				}
			}
			// Alone, then shared by three workers (addUnit chunks).
			for _, pool := range []*Pool{nil, pool} {
				if signed {
					out := make([]int8, n)
					AddQuant(&p, &bc, int8View(a), int8View(b), out, s, pool)
					check(func(k int) int32 { return int32(out[k]) })
				} else {
					out := make([]uint8, n)
					AddQuant(&p, &bc, a, b, out, s, pool)
					check(func(k int) int32 { return int32(out[k]) })
				}
			}
		}
	})
}
