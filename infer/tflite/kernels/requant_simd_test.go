package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRequantTileMatchesStoreBlock checks the vector requantization of the
// SIMD paths against storeBlock (itself checked against fixedpoint.go) for
// every shift, both roundings, extreme sums, constants, output offsets and
// activation ranges, and constructed ties of the final shift.
func TestRequantTileMatchesStoreBlock(t *testing.T) {
	if !available(PathAVX2) {
		t.Skip("no AVX2 on this CPU or build: the vector requantization never runs")
	}
	r := rand.New(rand.NewPCG(9, 9))
	accs := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MinInt32 + 1, math.MaxInt32 - 1}
	for range 200 {
		accs = append(accs, int32(r.Uint32()), int32(r.IntN(1<<16)-1<<15))
	}
	mults := []int32{1 << 30, math.MaxInt32, 1<<30 + 1, 0, 1}
	for range 6 {
		mults = append(mults, 1<<30+int32(r.IntN(1<<30)))
	}
	ranges := []struct{ off, lo, hi int32 }{
		{0, -128, 127}, {-128, -128, 127}, {5, -128, 127}, {-3, 0, 255}, {0, 0, 255}, {200, 0, 6},
		{1 << 24, -128, 127}, {-1 << 24, 0, 255}, {127, -128, 127},
	}
	const nr = 16
	for shift := -31; shift <= 30; shift++ {
		for _, halfUp := range []bool{false, true} {
			if halfUp && shift > 0 {
				continue // not vectorized (packRequant refuses it)
			}
			for _, rg := range ranges {
				// 16 channels: mixed multipliers and constants; rows of
				// sums that include every test value.
				cq := make([]chanQuant, nr)
				cst := make([]int32, nr)
				for c := range cq {
					cq[c] = newChanQuant(mults[(c+shift+31)%len(mults)], shift)
					cst[c] = []int32{0, 0, 1, -1, math.MaxInt32, math.MinInt32, int32(r.Uint32())}[c%7]
				}
				pf := &PackedFilter{cq: cq, outOff: rg.off, actMin: rg.lo, actMax: rg.hi, halfUp: halfUp}
				rq, ok := packRequant(nil, nr, 8, cst, cq, halfUp, rg.off, rg.lo, rg.hi)
				rq16, ok16 := packRequant(nil, nr, 16, cst, cq, halfUp, rg.off, rg.lo, rg.hi)
				if !ok || !ok16 {
					t.Fatalf("packRequant refused shift %d halfUp %v", shift, halfUp)
				}
				vals := accs
				if shift < 0 {
					for k := int32(-20); k <= 20; k++ {
						if a := (2*k + 1) << uint(-shift-1); a>>uint(-shift-1) == 2*k+1 {
							vals = append(vals, a, a-cst[0])
						}
					}
				}
				rows := (len(vals) + nr - 1) / nr
				sums := make([]int32, rows*nr)
				for i := range sums {
					sums[i] = vals[(i*7+shift+31)%len(vals)]
				}
				got := make([]byte, rows*nr)
				requantTileAVX2(&sums[0], &rq[0], &got[0], rows, 2, nr, nr)
				got16 := make([]byte, rows*nr)
				if available(PathVNNI) {
					requantTileVNNI(&sums[0], &rq16[0], &got16[0], rows, 1, nr, nr)
				} else {
					copy(got16, got)
				}
				for i := range rows {
					acc := make([]int32, nr)
					for c := range acc {
						acc[c] = sums[i*nr+c] + cst[c]
					}
					want := make([]int8, nr)
					storeBlock(pf, acc, 0, want)
					for c := range nr {
						if got16[i*nr+c] != byte(want[c]) {
							t.Fatalf("AVX-512: shift %d halfUp %v range %+v m %d: sum %d + cst %d → %d; want %d",
								shift, halfUp, rg, cq[c].m, sums[i*nr+c], cst[c], int8(got16[i*nr+c]), want[c])
						}
						if got[i*nr+c] != byte(want[c]) {
							t.Fatalf("shift %d halfUp %v range %+v m %d: sum %d + cst %d → %d; want %d",
								shift, halfUp, rg, cq[c].m, sums[i*nr+c], cst[c], int8(got[i*nr+c]), want[c])
						}
					}
				}
			}
		}
	}
}

func TestPackRequantRefusesHalfUpLeftShift(t *testing.T) {
	cq := []chanQuant{newChanQuant(1<<30, -2), newChanQuant(1<<30, 3)}
	if _, ok := packRequant(nil, 2, 8, nil, cq, true, 0, -128, 127); ok {
		t.Errorf("half-up with a left shift accepted")
	}
	if _, ok := packRequant(nil, 2, 8, nil, cq, false, 0, -128, 127); !ok {
		t.Errorf("reference rounding with a left shift refused")
	}
}
