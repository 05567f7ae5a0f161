package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// uintptrOf returns the address of a heap byte (tests hand the fused
// kernel rows as addresses; heap memory does not move).
func uintptrOf(b *byte) uintptr { return uintptr(unsafe.Pointer(b)) }

// fusedNoTaps is the (unread) row of the k4 = 0 calls.
var fusedNoTaps [4]byte

// fusedWant is the reference for one output of gemmRQVNNI8: the int32 sum
// (wrapping) requantized by storeBlock.
func fusedWant(acc int32, cq *chanQuant, halfUp bool, off, lo, hi int32) byte {
	pf := &PackedFilter{cq: []chanQuant{*cq}, outOff: off, actMin: lo, actMax: hi, halfUp: halfUp}
	var out [1]int8
	storeBlock(pf, []int32{acc}, 0, out[:])
	return byte(out[0])
}

// TestFusedRequantMatchesStoreBlock drives the fused kernel with no taps
// (k4 = 0), so each output is the requantized init[p] + cst[c], through
// every shift, both roundings, extreme sums (also wrapping ones),
// multipliers, output offsets, activation ranges, constructed ties of the
// final shift, half and full tiles and every row count.
func TestFusedRequantMatchesStoreBlock(t *testing.T) {
	if !available(PathVNNI) {
		t.Skip("no AVX-512 VNNI on this CPU or build: the fused kernel never runs")
	}
	r := rand.New(rand.NewPCG(12, 1))
	vals := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, math.MinInt32 + 1, math.MaxInt32 - 1}
	for range 120 {
		vals = append(vals, int32(r.Uint32()), int32(r.IntN(1<<16)-1<<15))
	}
	inits := [8]int32{0, 1, -1, math.MaxInt32, math.MinInt32, 12345, -98765, int32(r.Uint32())}
	mults := []int32{1 << 30, math.MaxInt32, 1<<30 + 1, 0, 1}
	for range 6 {
		mults = append(mults, 1<<30+int32(r.IntN(1<<30)))
	}
	ranges := []struct{ off, lo, hi int32 }{
		{0, -128, 127}, {-128, -128, 127}, {5, -128, 127}, {-3, 0, 255}, {0, 0, 255}, {200, 0, 6},
		{1 << 24, -128, 127}, {-1 << 24, 0, 255}, {127, -128, 127},
	}
	var rows [8]uintptr
	for i := range rows {
		rows[i] = uintptrOf(&fusedNoTaps[0])
	}
	w := make([]int8, 32*4)
	call := 0
	for shift := -31; shift <= 30; shift++ {
		for _, halfUp := range []bool{false, true} {
			if halfUp && shift > 0 {
				continue // not fused (packFused refuses it)
			}
			for _, rg := range ranges {
				vs := vals
				if shift < 0 {
					// Sums whose product with 2^30 (m = 0.5) is a tie of
					// the final shift, positive and negative.
					for k := int32(-20); k <= 20; k++ {
						if a := (2*k + 1) << uint(-shift); a>>uint(-shift) == 2*k+1 {
							vs = append(vs, a, a+1, a-1)
						}
					}
				}
				for start := 0; start < len(vs); start += 32 {
					call++
					n := []int{32, 16, 1, 17, 31, 8}[call%6]
					nrows := 1 + call%8
					cq := make([]chanQuant, 32)
					cst := make([]int32, 32)
					for c := range cq {
						cq[c] = newChanQuant(mults[(c+call)%len(mults)], shift)
						cst[c] = vs[(start+c)%len(vs)]
					}
					rq, _ := packRequant64(nil, min(n, 32), cst, cq, halfUp, rg.off, rg.lo, rg.hi)
					const stride = 40
					out := make([]byte, 8*stride)
					for i := range out {
						out[i] = 0xa5
					}
					flags := call % 2
					if halfUp {
						flags |= fusedHalfUp
					}
					gemmRQVNNI8(&rows, 0, &w[0], &rq[0], &inits[0], &out[0], stride, nrows, n, flags)
					for p := range 8 {
						for c := range stride {
							got := out[p*stride+c]
							want := byte(0xa5)
							if p < nrows && c < n {
								want = fusedWant(inits[p]+cst[c], &cq[c], halfUp, rg.off, rg.lo, rg.hi)
							}
							if got != want {
								t.Fatalf("shift %d halfUp %v range %+v n %d rows %d: pixel %d channel %d (sum %d, m %d): %#x, want %#x",
									shift, halfUp, rg, n, nrows, p, c, inits[p]+cst[c], cq[c].m, got, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestPackFusedRefusesHalfUpLeftShift(t *testing.T) {
	forEachPath(t, func(path Path) {
		if path != PathVNNI {
			return
		}
		for _, tc := range []struct {
			halfUp bool
			shift  int
			fused  bool
		}{{true, 2, false}, {true, -2, true}, {false, 2, true}, {false, -2, true}} {
			q := &QuantParams{Multiplier: []int32{1 << 30}, Shift: []int{tc.shift}, HalfUp: tc.halfUp, ActMin: -128, ActMax: 127}
			pf := PackConvInt8(3, 4, make([]int8, 12), nil, q)
			if got := len(pf.rq64) > 0; got != tc.fused {
				t.Errorf("halfUp %v shift %d: fused %v, want %v", tc.halfUp, tc.shift, got, tc.fused)
			}
		}
	})
}

// FuzzGemmRQ checks the fused kernel end to end against plain int32 sums
// and storeBlock: K 1–2048, unsigned × signed or signed × unsigned bytes
// (optionally only the extremes), garbage in the padding taps (whose
// weights are 0), 1–32 channels, 1–8 rows, random requantization; bytes
// outside the n × nrows outputs must stay untouched.
func FuzzGemmRQ(f *testing.F) {
	f.Add(uint64(1), uint16(1), uint8(0))
	f.Add(uint64(2), uint16(2047), uint8(1))
	f.Add(uint64(3), uint16(26), uint8(2))
	f.Add(uint64(4), uint16(63), uint8(5))
	f.Fuzz(func(t *testing.T, seed uint64, k16 uint16, mode uint8) {
		if !available(PathVNNI) {
			t.Skip("no AVX-512 VNNI on this CPU or build")
		}
		k := int(k16%2048) + 1
		r := rand.New(rand.NewPCG(seed, uint64(k)))
		pick := func(lo, hi int32) int32 {
			if mode%3 == 1 || (mode%3 == 2 && r.IntN(4) != 0) {
				return []int32{lo, hi}[r.IntN(2)]
			}
			return lo + r.Int32N(hi-lo+1)
		}
		signed := mode&4 != 0
		k4 := (k + 3) / 4
		n := 1 + r.IntN(32)
		nrows := 1 + r.IntN(8)
		xlo, xhi, wlo, whi := int32(0), int32(255), int32(-128), int32(127)
		if signed {
			xlo, xhi, wlo, whi = -128, 127, 0, 255
		}
		x := make([]byte, 8*4*k4)
		for i := range x {
			x[i] = byte(r.Uint32()) // the padding taps stay garbage
		}
		var rows [8]uintptr
		for p := range 8 {
			for t := range k {
				x[p*4*k4+t] = byte(pick(xlo, xhi))
			}
			rows[p] = uintptrOf(&x[p*4*k4])
		}
		w := make([]int8, k4*32*4)
		for c := range 32 {
			for t := range k {
				if c < n || r.IntN(2) == 0 { // channels ≥ n: never stored
					w[(t/4)*128+c*4+t%4] = int8(byte(pick(wlo, whi)))
				}
			}
		}
		var init [8]int32
		for p := range init {
			init[p] = int32(r.Uint32())
		}
		halfUp := r.IntN(2) == 0
		cq := make([]chanQuant, 32)
		cst := make([]int32, 32)
		for c := range cq {
			shift := r.IntN(62) - 31
			if halfUp {
				shift = -r.IntN(32)
			}
			cq[c] = newChanQuant(int32(r.Uint32()>>1), shift)
			cst[c] = int32(r.Uint32())
		}
		off := r.Int32N(256) - 128
		lo, hi := int32(-128), int32(127)
		if !signed {
			lo, hi = 0, 255
		}
		if r.IntN(2) == 0 {
			lo = lo + r.Int32N(100)
		}
		rq, ok := packRequant64(nil, n, cst, cq, halfUp, off, lo, hi)
		if !ok {
			t.Fatal("packRequant64 refused")
		}
		ostride := n + r.IntN(40)
		out := make([]byte, 8*ostride+16)
		for i := range out {
			out[i] = 0x5a
		}
		flags := 0
		if signed {
			flags |= fusedSigned
		}
		if halfUp {
			flags |= fusedHalfUp
		}
		gemmRQVNNI8(&rows, k4, &w[0], &rq[0], &init[0], &out[0], ostride, nrows, n, flags)
		for p := range 8 {
			for c := range ostride {
				want := byte(0x5a)
				if p < nrows && c < n {
					acc := init[p] + cst[c]
					for t := range k {
						xv, wv := int32(x[p*4*k4+t]), int32(w[(t/4)*128+c*4+t%4])
						if signed {
							xv, wv = int32(int8(x[p*4*k4+t])), int32(byte(w[(t/4)*128+c*4+t%4]))
						}
						acc += xv * wv
					}
					want = fusedWant(acc, &cq[c], halfUp, off, lo, hi)
				}
				if got := out[p*ostride+c]; got != want {
					t.Fatalf("k=%d n=%d rows=%d signed %v halfUp %v: pixel %d channel %d: %#x, want %#x", k, n, nrows, signed, halfUp, p, c, got, want)
				}
			}
		}
		for i := 8 * ostride; i < len(out); i++ {
			if out[i] != 0x5a {
				t.Fatalf("byte %d after the outputs written", i)
			}
		}
	})
}

// TestRowSums8 checks the row sums of the fused path for lengths around
// the 64-byte chunks, with and without the XOR.
func TestRowSums8(t *testing.T) {
	if !available(PathVNNI) {
		t.Skip("no AVX-512 VNNI on this CPU or build")
	}
	r := rand.New(rand.NewPCG(5, 5))
	for _, k := range []int{0, 1, 3, 4, 63, 64, 65, 127, 128, 129, 960, 2048, 2049} {
		for _, xor := range []uint8{0, 0x80} {
			buf := make([]byte, 8*k+1)
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			var rows [8]uintptr
			for p := range rows {
				rows[p] = uintptrOf(&buf[p*k])
			}
			var sums [8]int64
			rowSums8VNNI(&rows, k, xor, &sums)
			for p := range 8 {
				want := int64(xor) * int64(64-k%64)
				for _, v := range buf[p*k:][:k] {
					want += int64(v ^ xor)
				}
				if sums[p] != want {
					t.Errorf("k=%d xor %#x row %d: %d, want %d", k, xor, p, sums[p], want)
				}
			}
		}
	}
}

// TestRepackAcrossPaths reuses one Scratch (whose PackedFilter the
// unpacked API repacks on every call) while the active path changes back
// and forth, so a filter packed for vnni and then repacked for another
// path must not keep the fused kernel's parameters.
func TestRepackAcrossPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	p := geom(1, 5, 6, 24, 40, 1, 1, 1, 1, 1, false)
	taps := p.KH * p.KW * p.InC
	nq := randQuant(r, p.OutC, taps, true, true, true, false)
	in := randBytes[int8](r, p.N*p.InH*p.InW*p.InC)
	f := randBytes[int8](r, p.OutC*taps)
	bias := randBias(r, p.OutC, 5000)
	want := naiveConvQuant(&p, false, in, f, bias, nq)
	s := NewScratch(ConvScratchSize(&p, 1, 1))
	for round := range 2 {
		forEachPath(t, func(path Path) {
			got := make([]int8, len(want))
			ConvInt8(&p, in, f, bias, got, nq.params(), s, nil)
			if d := firstDiff(&p, got, want); d != "" {
				t.Errorf("round %d, %v: %s", round, path, d)
			}
		})
	}
}
