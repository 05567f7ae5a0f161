package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzGemmTileARM compares the arm64 micro-kernels with plain int32 sums
// on 8×8 tiles drawn from the fuzz input, biased towards the extremes
// (inputs −128/127, weights ±255 for neon and −128/127 for dotprod), with
// K 1–2048 and garbage in the rows' padding taps.
func FuzzGemmTileARM(f *testing.F) {
	f.Add(uint64(1), uint16(1), uint8(0))
	f.Add(uint64(2), uint16(960), uint8(1))
	f.Add(uint64(3), uint16(1153), uint8(2))
	f.Add(uint64(4), uint16(17), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, k16 uint16, mode uint8) {
		if !available(PathNEON) {
			t.Skip("no arm64 path on this CPU or build")
		}
		checkGemmTileARM(t, seed, k16, mode)
	})
}

// TestGemmTileARMRandom runs FuzzGemmTileARM's check on random inputs:
// under qemu-user the fuzzing engine cannot start its workers (it execs
// the test binary), so this is how the emulated runs get beyond the seeds.
func TestGemmTileARMRandom(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	n := 400
	if testing.Short() {
		n = 60
	}
	r := rand.New(rand.NewPCG(11, 12))
	for range n {
		checkGemmTileARM(t, r.Uint64(), uint16(r.Uint32()), uint8(r.Uint32()))
	}
}

// checkGemmTileARM is the body of FuzzGemmTileARM.
func checkGemmTileARM(t *testing.T, seed uint64, k16 uint16, mode uint8) {
	k := int(k16%2048) + 1
	r := rand.New(rand.NewPCG(seed, uint64(k)))
	pick := func(lo, hi int32) int32 {
		switch mode % 3 {
		case 1: // extremes only
			return []int32{lo, hi}[r.IntN(2)]
		case 2: // mostly extremes
			if r.IntN(4) != 0 {
				return []int32{lo, hi}[r.IntN(2)]
			}
		}
		return lo + r.Int32N(hi-lo+1)
	}
	check := func(name string, acc []int32, want func(i, c int) int32) {
		t.Helper()
		for i := range armMR {
			for c := range armNR {
				if w := want(i, c); acc[i*armNR+c] != w {
					t.Fatalf("%s k=%d pixel %d channel %d: %d, want %d", name, k, i, c, acc[i*armNR+c], w)
				}
			}
		}
	}

	// neon: int16 rows of 8·ceil(k/8) taps (+3 to test the stride),
	// weights [taps][8]int16 with zeros past k.
	taps := 2 * armKP(PathNEON, k)
	stride := taps + 3
	x := make([]int16, armMR*stride)
	for i := range x {
		x[i] = int16(r.Uint32()) // garbage, also in the padding taps
	}
	for i := range armMR {
		for tp := range k {
			x[i*stride+tp] = int16(pick(-128, 127))
		}
	}
	w := make([]int16, taps*armNR)
	for c := range armNR {
		for tp := range k {
			w[tp*armNR+c] = int16(pick(-255, 255))
		}
	}
	acc := make([]int32, armMR*armNR)
	gemmTileNEON(&x[0], uintptr(2*stride), &w[0], taps/8, &acc[0])
	check("SMLAL", acc, func(i, c int) int32 {
		var s int32
		for tp := range k {
			s += int32(x[i*stride+tp]) * int32(w[tp*armNR+c])
		}
		return s
	})

	if !available(PathDotprod) {
		return
	}
	// dotprod: byte rows of 16·ceil(k/16) taps, weights
	// [taps/4][8][4]int8 with zeros past k.
	taps = 4 * armKP(PathDotprod, k)
	stride = taps + 5
	xb := make([]byte, armMR*stride)
	for i := range xb {
		xb[i] = byte(r.Uint32())
	}
	for i := range armMR {
		for tp := range k {
			xb[i*stride+tp] = byte(pick(-128, 127))
		}
	}
	wb := make([]int8, taps*armNR)
	for c := range armNR {
		for tp := range k {
			wb[(tp/4)*armNR*4+c*4+tp%4] = int8(pick(-128, 127))
		}
	}
	gemmTileDot(&xb[0], uintptr(stride), &wb[0], taps/16, &acc[0])
	check("SDOT", acc, func(i, c int) int32 {
		var s int32
		for tp := range k {
			s += int32(int8(xb[i*stride+tp])) * int32(wb[(tp/4)*armNR*4+c*4+tp%4])
		}
		return s
	})
}

// TestRowPrepARM checks the row preparation of the arm64 paths (NEON for
// whole 16-byte chunks, Go for the rest) on every length 0–70 and both
// XOR values, against a plain loop.
func TestRowPrepARM(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for n := range 71 {
		for _, xor := range []uint8{0, 0x80} {
			src := randBytes[int8](r, n)
			if n > 3 {
				src[0], src[1] = -128, 127
			}
			d16 := make([]int16, n+9)
			for i := range d16 {
				d16[i] = 7
			}
			widenRowARM(d16, src, xor)
			d8 := make([]byte, n)
			sum := prepRowS8(d8, src, xor)
			want := 0
			for i, v := range src {
				x := int8(uint8(v) ^ xor)
				want += int(x)
				if d16[i] != int16(x) || d8[i] != byte(x) {
					t.Fatalf("n=%d xor=%#x tap %d: widened %d, prepared %d, want %d", n, xor, i, d16[i], int8(d8[i]), x)
				}
			}
			if slices.ContainsFunc(d16[n:], func(v int16) bool { return v != 0 }) {
				t.Errorf("n=%d: padding taps not cleared: %v", n, d16[n:])
			}
			if sum != want {
				t.Errorf("n=%d xor=%#x: sum %d, want %d", n, xor, sum, want)
			}
		}
	}
}

// TestAvailableMatchesEnv checks the feature detection against what the
// caller expects of this CPU: FOVEA_TEST_PATHS="generic,neon" under
// qemu -cpu cortex-a72 (no dot product), "generic,neon,dotprod" under
// -cpu max (make test-kernels-arm64). Without the variable it only checks
// that a dotprod CPU also offers neon.
func TestAvailableMatchesEnv(t *testing.T) {
	var got []string
	for _, p := range Available() {
		got = append(got, p.String())
	}
	if available(PathDotprod) && !available(PathNEON) {
		t.Errorf("Available() = %v: dotprod without neon", got)
	}
	want, ok := os.LookupEnv("FOVEA_TEST_PATHS")
	if !ok {
		t.Skip("FOVEA_TEST_PATHS not set; make test-kernels-arm64 sets it per emulated CPU")
	}
	if strings.Join(got, ",") != want {
		t.Errorf("Available() = %v, want %s", got, want)
	}
	for _, p := range []Path{PathNEON, PathDotprod} {
		if err := SetPath(p); (err == nil) != strings.Contains(","+want+",", ","+p.String()+",") {
			t.Errorf("SetPath(%v) = %v with paths %s", p, err, want)
		}
	}
	_ = SetPath(Best())
}

// TestRequantTileNEON checks the NEON requantization against storeBlock
// (itself checked against fixedpoint.go) for every shift −31…30, both
// roundings, sums, constants and per-row starting values at the int32
// extremes, output offsets ±2^24, narrow ranges and constructed ties of
// the final shift, with a row stride other than 8.
func TestRequantTileNEON(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	r := rand.New(rand.NewPCG(9, 10))
	accs := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MinInt32 + 1, math.MaxInt32 - 1}
	for range 60 {
		accs = append(accs, int32(r.Uint32()), int32(r.IntN(1<<16)-1<<15))
	}
	mults := []int32{1 << 30, math.MaxInt32, 1<<30 + 1, 0, 1}
	for range 4 {
		mults = append(mults, 1<<30+int32(r.IntN(1<<30)))
	}
	ranges := []struct{ off, lo, hi int32 }{
		{0, -128, 127}, {-128, -128, 127}, {-3, 0, 255}, {200, 0, 6}, {1 << 24, -128, 127}, {-1 << 24, 0, 255},
	}
	const nr, stride = armNR, 11
	for shift := -31; shift <= 30; shift++ {
		for _, halfUp := range []bool{false, true} {
			for _, rg := range ranges {
				cq := make([]chanQuant, nr)
				cst := make([]int32, nr)
				for c := range cq {
					cq[c] = newChanQuant(mults[(c+shift+31)%len(mults)], shift)
					cst[c] = []int32{0, 1, -1, math.MaxInt32, math.MinInt32, int32(r.Uint32()), 0}[c%7]
				}
				pf := &PackedFilter{cq: cq, outOff: rg.off, actMin: rg.lo, actMax: rg.hi, halfUp: halfUp}
				rq, ok := packRequant(nil, nr, nr, cst, cq, halfUp, rg.off, rg.lo, rg.hi)
				if ok != !(halfUp && shift > 0) {
					t.Fatalf("packRequant(shift %d, halfUp %v) = %v", shift, halfUp, ok)
				}
				if !ok {
					continue // the Go storeBlock runs instead
				}
				vals := accs
				if shift < 0 {
					for k := int32(-20); k <= 20; k++ {
						if a := (2*k + 1) << uint(-shift-1); a>>uint(-shift-1) == 2*k+1 {
							vals = append(vals, a, a-cst[0])
						}
					}
				}
				for start := 0; start < len(vals); start += armMR * nr {
					rows := min(armMR, (len(vals)-start+nr-1)/nr)
					var sums [armMR * nr]int32
					var init [armMR]int32
					for i := range sums {
						sums[i] = vals[(start+i*7+shift+31)%len(vals)]
					}
					for i := range init {
						init[i] = []int32{0, 0, 5, -7, math.MinInt32, int32(r.Uint32())}[(start/nr+i)%6]
					}
					got := make([]byte, armMR*stride)
					requantTileNEON(&sums[0], &rq[0], &init[0], &got[0], rows, stride)
					for i := range rows {
						acc := make([]int32, nr)
						for c := range acc {
							acc[c] = sums[i*nr+c] + cst[c] + init[i]
						}
						want := make([]int8, nr)
						storeBlock(pf, acc, 0, want)
						for c := range nr {
							if got[i*stride+c] != byte(want[c]) {
								t.Fatalf("shift %d halfUp %v range %+v m %d: sum %d + cst %d + init %d → %d; want %d",
									shift, halfUp, rg, cq[c].m, sums[i*nr+c], cst[c], init[i], int8(got[i*stride+c]), want[c])
							}
						}
					}
				}
			}
		}
	}
}
