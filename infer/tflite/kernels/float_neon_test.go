package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// checkFloatTileNEON compares gemmF32TileNEON with scalar Go sums of
// rounded products (the generic path's arithmetic) on a tile drawn from
// seed: k taps (0 to 1023: the 4-tap loop and the single-tap tail), any
// finite float32 bits (mode%6 == 5, so sums overflow to ±Inf or turn
// NaN) or one of floatData's kinds, every clamp of floatClamps, and a
// store of nout pixels that must leave the rest of out alone.
func checkFloatTileNEON(t *testing.T, seed uint64, k16 uint16, mode uint8) {
	t.Helper()
	k := int(k16 % 1024)
	r := rand.New(rand.NewPCG(seed, uint64(k)))
	draw := func(n int) []float32 {
		if mode%6 == 5 {
			v := make([]float32, n)
			for i := range v {
				b := r.Uint32()
				if b>>23&0xff == 0xff {
					b &^= 1 << 30 // finite: no Inf or NaN inputs
				}
				v[i] = math.Float32frombits(b)
			}
			return v
		}
		return floatData(r, floatKinds[int(mode)%len(floatKinds)], n)
	}
	// Rows k+3 floats apart, so each row pointer is used on its own.
	x := draw(8*(k+3) + 1)
	w := draw(k*floatNR + 1)
	bias := draw(floatNR)
	cl := floatClamps[r.IntN(len(floatClamps))]
	var rows [8]*float32
	for i := range rows {
		rows[i] = &x[i*(k+3)]
	}
	nout := 1 + r.IntN(8)
	const stride = floatNR + 5
	out := make([]float32, 8*stride)
	sentinel := math.Float32frombits(0x7fc0dead)
	for i := range out {
		out[i] = sentinel
	}
	gemmF32TileNEON(&rows[0], k, &w[0], &bias[0], &cl[0], &out[0], 4*stride, nout)
	for i := range 8 {
		for c := range stride {
			got := out[i*stride+c]
			if i >= nout || c >= floatNR {
				if math.Float32bits(got) != 0x7fc0dead {
					t.Fatalf("k=%d nout=%d: pixel %d lane %d written (%g)", k, nout, i, c, got)
				}
				continue
			}
			var acc float32
			for tap := range k {
				acc += float32(x[i*(k+3)+tap] * w[tap*floatNR+c])
			}
			want := min(max(acc+bias[c], cl[0]), cl[1])
			if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("seed %d k=%d mode %d clamp %v pixel %d channel %d: %g (%#08x), want %g (%#08x)", seed, k, mode, cl, i, c, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}

// TestFloatTileNEONRandom runs checkFloatTileNEON on random tiles (the
// fuzz engine cannot start its workers under qemu-user, where the arm64
// kernels are tested here).
func TestFloatTileNEONRandom(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	n := 300
	if testing.Short() {
		n = 60
	}
	r := rand.New(rand.NewPCG(21, 22))
	for i := range n {
		k16 := uint16(r.Uint32())
		if i < 8 {
			k16 = uint16(i) // k = 0..7: no full 4-tap iteration, or a tail only
		}
		checkFloatTileNEON(t, r.Uint64(), k16, uint8(r.Uint32()))
	}
}

// TestFloatRowNEONRandom compares gemmF32RowNEON (one pixel, nblk
// blocks of 8 channels, blocks past nblk pointing at the last one) with
// scalar Go sums of rounded products, for K = 0–1023 (K = 0–7 first),
// every data kind and clamp, and checks that only nblk·8 floats are
// written.
func TestFloatRowNEONRandom(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	r := rand.New(rand.NewPCG(25, 26))
	for it := range 120 {
		k := r.IntN(1024)
		if it < 8 {
			k = it
		}
		kind := floatKinds[it%len(floatKinds)]
		x := floatData(r, kind, k+1)
		nblk := 1 + r.IntN(4)
		w := floatData(r, floatKinds[(it+2)%len(floatKinds)], nblk*k*floatNR+1)
		bias := floatBias(r, []string{"unit", "negzero"}[it%2], nblk*floatNR)
		cl := floatClamps[r.IntN(len(floatClamps))]
		var ws [4]*float32
		for b := range ws {
			ws[b] = &w[min(b, nblk-1)*k*floatNR]
		}
		out := make([]float32, 4*floatNR+1)
		for i := range out {
			out[i] = math.Float32frombits(0x7fc0dead)
		}
		gemmF32RowNEON(&x[0], k, &ws[0], &bias[0], &cl[0], &out[0], nblk)
		for i, got := range out {
			b, c := i/floatNR, i%floatNR
			if b >= nblk {
				if math.Float32bits(got) != 0x7fc0dead {
					t.Fatalf("k=%d nblk=%d: float %d written (%g)", k, nblk, i, got)
				}
				continue
			}
			var acc float32
			for tap := range k {
				acc += float32(x[tap] * w[(b*k+tap)*floatNR+c])
			}
			want := min(max(acc+bias[i], cl[0]), cl[1])
			if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("%s k=%d nblk=%d clamp %v block %d channel %d: %g (%#08x), want %g (%#08x)", kind, k, nblk, cl, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}

// TestDepthwiseFloatNEONRandom compares dw3x3F32NEON (a run of interior
// pixels with strides and dilations) and dwTapsF32NEON (0 to 9 taps)
// with scalar Go sums that start at the bias and add the rounded products
// in row-major order, on every data kind and clamp.
func TestDepthwiseFloatNEONRandom(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	r := rand.New(rand.NewPCG(23, 24))
	for it := range 60 {
		kind := floatKinds[it%len(floatKinds)]
		c8 := 1 + r.IntN(4)
		c := 8 * c8
		sx, dil, n := 1+r.IntN(2), 1+r.IntN(2), 1+r.IntN(5)
		inW := (n-1)*sx + 2*dil + 1 + r.IntN(2)
		inH := 2*dil + 1
		img, wt := floatData(r, kind, inH*inW*c), floatData(r, floatKinds[(it+1)%len(floatKinds)], 9*c)
		bias := floatBias(r, []string{"unit", "negzero"}[it%2], c)
		cl := floatClamps[it%len(floatClamps)]
		sentinel := math.Float32frombits(0x7fc0dead)
		out := make([]float32, (n+1)*c)
		for i := range out {
			out[i] = sentinel
		}
		dx, dy := dil*c, dil*inW*c
		dw3x3F32NEON(&img[0], &wt[0], &bias[0], &out[0], c8, uintptr(4*dy), uintptr(4*dx), uintptr(4*sx*c), n, &cl[0])
		for px := range n + 1 {
			for ch := range c {
				got := out[px*c+ch]
				if px == n {
					if math.Float32bits(got) != 0x7fc0dead {
						t.Fatalf("dw3x3 n=%d: pixel %d channel %d written", n, px, ch)
					}
					continue
				}
				acc := bias[ch]
				for tap := range 9 {
					acc += float32(img[px*sx*c+tap/3*dy+tap%3*dx+ch] * wt[tap*c+ch])
				}
				want := min(max(acc, cl[0]), cl[1])
				if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
					t.Fatalf("dw3x3 %s c=%d sx=%d dil=%d clamp %v pixel %d channel %d: %g (%#08x), want %g (%#08x)", kind, c, sx, dil, cl, px, ch, got, math.Float32bits(got), want, math.Float32bits(want))
				}
			}
		}

		// A border pixel: a random subset of the taps, in order.
		var xs, ws [9]*float32
		ntaps := 0
		for tap := range 9 {
			if r.IntN(3) > 0 {
				xs[ntaps], ws[ntaps] = &img[tap/3*dy+tap%3*dx], &wt[tap*c]
				ntaps++
			}
		}
		one := out[:c+1]
		for i := range one {
			one[i] = sentinel
		}
		dwTapsF32NEON(&xs[0], &ws[0], ntaps, &bias[0], &one[0], c8, &cl[0])
		if math.Float32bits(one[c]) != 0x7fc0dead {
			t.Fatalf("dwTaps c=%d: wrote past the pixel", c)
		}
		for ch := range c {
			acc := bias[ch]
			for tp := range ntaps {
				x := unsafe.Slice(xs[tp], c)
				w := unsafe.Slice(ws[tp], c)
				acc += float32(x[ch] * w[ch])
			}
			want := min(max(acc, cl[0]), cl[1])
			if got := one[ch]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("dwTaps %s c=%d ntaps=%d clamp %v channel %d: %g (%#08x), want %g (%#08x)", kind, c, ntaps, cl, ch, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}
