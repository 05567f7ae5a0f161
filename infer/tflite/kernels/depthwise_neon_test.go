package kernels

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestDepthwiseNEONRandom compares the arm64 depthwise micro-kernels with
// plain int32 sums on random inputs: 1–10 groups of 8 channels, 1–8
// pixels, strides 1–3 and dilations 1–2, weights over the whole int16
// range or only their extremes (the packed filters use |w| ≤ 255; the
// kernels are exact for any int16), inputs biased towards 0, 127/128 and
// 255. The fuzzing engine cannot run under qemu-user (see
// TestGemmTileARMRandom), so this is the kernels' random check there.
func TestDepthwiseNEONRandom(t *testing.T) {
	if !available(PathNEON) {
		t.Skip("no arm64 path on this CPU or build")
	}
	n := 300
	if testing.Short() {
		n = 60
	}
	r := rand.New(rand.NewPCG(21, 22))
	for i := range n {
		checkDepthwiseNEON(t, r, i%2 == 1, i%3 == 0)
	}
}

func checkDepthwiseNEON(t *testing.T, r *rand.Rand, signed, extremes bool) {
	t.Helper()
	c8 := 1 + r.IntN(10)
	c := 8 * c8
	px := 1 + r.IntN(dwChunk)
	stride, dil := 1+r.IntN(3), 1+r.IntN(2)
	if r.IntN(2) == 0 {
		stride = dil // the stride-1 kernel's case
	}
	inW := (px-1)*stride + 2*dil + 1 + r.IntN(3)
	inH := 2*dil + 1
	in := make([]byte, inH*inW*c)
	for i := range in {
		switch r.IntN(4) {
		case 0:
			in[i] = []byte{0, 127, 128, 255}[r.IntN(4)]
		default:
			in[i] = byte(r.Uint32())
		}
	}
	w := make([]int16, 9*c)
	for i := range w {
		if extremes {
			w[i] = []int16{-32768, 32767, -255, 255}[r.IntN(4)]
		} else {
			w[i] = int16(r.Uint32())
		}
	}
	x := func(i int) int32 {
		if signed {
			return int32(int8(in[i]))
		}
		return int32(in[i])
	}
	// want[p][ch]: tap (ky, kx) of pixel p at row ky·dil, column p·stride + kx·dil.
	want := make([]int32, px*c)
	for p := range px {
		for ch := range c {
			var s int32
			for ky := range 3 {
				for kx := range 3 {
					s += x((ky*dil*inW+p*stride+kx*dil)*c+ch) * int32(w[(ch/8*9+ky*3+kx)*8+ch%8])
				}
			}
			want[p*c+ch] = s
		}
	}
	acc := make([]int32, px*c)
	dy, dx, sx := uintptr(dil*inW*c), uintptr(dil*c), uintptr(stride*c)
	kernels := []func(){func() {
		if signed {
			dw3x3I8NEON(&in[0], &w[0], &acc[0], c8, dy, dx, sx, px)
		} else {
			dw3x3U8NEON(&in[0], &w[0], &acc[0], c8, dy, dx, sx, px)
		}
	}}
	if stride == dil {
		kernels = append(kernels, func() {
			if signed {
				dw3x3S1I8NEON(&in[0], &w[0], &acc[0], c8, dy, dx, px)
			} else {
				dw3x3S1U8NEON(&in[0], &w[0], &acc[0], c8, dy, dx, px)
			}
		})
	}
	for k, run := range kernels {
		for i := range acc {
			acc[i] = int32(r.Uint32()) // overwritten, not added to
		}
		run()
		for p := range px {
			for ch := range c {
				if got := acc[(ch/8*px+p)*8+ch%8]; got != want[p*c+ch] {
					t.Fatalf("dw3x3 (kernel %d) signed=%v c=%d n=%d stride=%d dil=%d: pixel %d channel %d = %d, want %d", k, signed, c, px, stride, dil, p, ch, got, want[p*c+ch])
				}
			}
		}
	}
	// The taps kernel on the last pixel, one tap redirected to a row of
	// its own (as the border pixels' zero-point row).
	p := px - 1
	var taps [9]*byte
	pad := make([]byte, c)
	for i := range pad {
		pad[i] = byte(r.Uint32())
	}
	skip := r.IntN(9)
	for ky := range 3 {
		for kx := range 3 {
			taps[ky*3+kx] = &in[(ky*dil*inW+p*stride+kx*dil)*c]
		}
	}
	taps[skip] = &pad[0]
	tacc := make([]int32, c)
	if signed {
		dwTapsI8NEON(&taps, &w[0], &tacc[0], c8)
	} else {
		dwTapsU8NEON(&taps, &w[0], &tacc[0], c8)
	}
	for ch := range c {
		var s int32
		for tp := range 9 {
			v := int32(*(*byte)(unsafe.Add(unsafe.Pointer(taps[tp]), ch)))
			if signed {
				v = int32(int8(v))
			}
			s += v * int32(w[(ch/8*9+tp)*8+ch%8])
		}
		if tacc[ch] != s {
			t.Fatalf("dwTaps signed=%v c=%d: channel %d = %d, want %d", signed, c, ch, tacc[ch], s)
		}
	}
}

// TestDepthwiseNEONPacks checks which filters the arm64 paths run in
// assembly: 3x3, depth multiplier 1, a multiple of 8 channels.
func TestDepthwiseNEONPacks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	forEachPath(t, func(path Path) {
		for _, tc := range []struct {
			p    ConvParams
			neon bool
		}{
			{geom(1, 7, 7, 16, 16, 3, 3, 1, 1, 1, true), true},
			{geom(1, 7, 7, 40, 40, 3, 3, 2, 1, 1, false), true},
			{geom(1, 7, 7, 12, 12, 3, 3, 1, 1, 1, true), false},
			{geom(1, 7, 7, 8, 16, 3, 3, 1, 1, 2, true), false},
			{geom(1, 7, 7, 16, 16, 5, 5, 1, 1, 1, true), false},
		} {
			p := tc.p
			q := randQuant(r, p.OutC, p.KH*p.KW, true, true, false, false).params()
			pd := PackDepthwiseInt8(&p, randBytes[int8](r, p.KH*p.KW*p.OutC), nil, q)
			want := tc.neon && path.arm64()
			if pd.neon != want || (want && (!pd.simd || len(pd.w9h) != 9*p.OutC || len(pd.rq) != p.OutC/8*rqVecs*8)) {
				t.Errorf("%v, %d channels %dx%d dm %d: neon %v simd %v, %d weights, %d requantization parameters; want neon %v",
					path, p.OutC, p.KH, p.KW, p.DepthMultiplier, pd.neon, pd.simd, len(pd.w9h), len(pd.rq), want)
			}
		}
	})
}
