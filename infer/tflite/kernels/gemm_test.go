package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRequantMatchesFixedPoint checks the branch-free requantization of
// the fast paths against fixedpoint.go's definitions, on random values and
// on exact ties of the final shift, for every shift.
func TestRequantMatchesFixedPoint(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	accs := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MinInt32 + 1}
	for range 2000 {
		accs = append(accs, int32(r.Uint32()), int32(r.IntN(1<<16)-1<<15))
	}
	mults := []int32{1 << 30, math.MaxInt32, 1<<30 + 1, 0}
	for range 20 {
		mults = append(mults, 1<<30+int32(r.IntN(1<<30)))
	}
	for shift := -31; shift <= 30; shift++ {
		for _, m := range mults {
			c := newChanQuant(m, shift)
			try := func(acc int32) {
				if got, want := requantRef(acc, &c), MultiplyByQuantizedMultiplier(acc, m, shift); got != int64(want) {
					t.Fatalf("requantRef(%d, m %d, shift %d) = %d; want %d", acc, m, shift, got, want)
				}
				if got, want := min(max(requantHalfUp(acc, &c), math.MinInt32), math.MaxInt32), MultiplyByQuantizedMultiplierHalfUp(acc, m, shift); got != int64(want) {
					t.Fatalf("requantHalfUp(%d, m %d, shift %d) = %d; want %d", acc, m, shift, got, want)
				}
			}
			for _, acc := range accs {
				try(acc)
			}
			if shift < 0 && m == 1<<30 {
				// m = 2^30 halves exactly, so acc = (2k+1)·2^(right) lands
				// on a tie of the final shift.
				for k := int32(-40); k <= 40; k++ {
					if acc := (2*k + 1) << uint(-shift); acc>>uint(-shift) == 2*k+1 {
						try(acc)
					}
				}
			}
		}
	}
}

// TestDecodeLanes checks that packed lane sums split back exactly at the
// bounds the packing guarantees.
func TestDecodeLanes(t *testing.T) {
	const lim = 1<<20 - 1
	for _, l := range [][3]int64{{0, 0, 0}, {lim, lim, lim}, {-lim - 1, -lim - 1, -lim - 1}, {-1, 1, -1}, {lim, -lim - 1, 12345}, {-5, 0, 1 << 20}} {
		v := l[0] + l[1]<<laneBits + l[2]<<(2*laneBits)
		a, b, c := decodeLanes(v)
		if int64(a) != l[0] || int64(b) != l[1] || int64(c) != l[2] {
			t.Errorf("decodeLanes(%v packed) = %d, %d, %d; want %v", l, a, b, c, l)
		}
	}
}
