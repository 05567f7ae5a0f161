package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The float32 SIMD paths must give the generic path's bits. These tests
// run every case on the generic path and on every other available path
// and compare the outputs bit for bit.

// floatData returns n floats of kind: "unit" uniform in [−1, 1), "wide"
// magnitudes from 1e-30 to 1e15 (no overflow for K < 1000), "denormal"
// mixed with subnormals, "sparse" mostly ±0 (sums are often exactly
// zero, which exercises the clamp's signed zeros), "cancel" values that
// cancel exactly in pairs.
func floatData(r *rand.Rand, kind string, n int) []float32 {
	f := make([]float32, n)
	for i := range f {
		u := float32(r.Float64()*2 - 1)
		switch kind {
		case "wide":
			u = float32(math.Copysign(math.Pow(10, r.Float64()*45-30), r.Float64()-0.5))
		case "denormal":
			if r.IntN(2) == 0 {
				u = math.Float32frombits(uint32(r.IntN(1<<23)) | uint32(r.IntN(2))<<31)
			}
		case "sparse":
			switch r.IntN(4) {
			case 0:
				u = float32(math.Copysign(0, r.Float64()-0.5))
			case 1:
				u = 0
			case 2:
				u = float32(math.Copysign(0, -1))
			}
		case "cancel":
			u = float32([]float64{1, -1, 0.5, -0.5, 3, -3}[r.IntN(6)])
		}
		f[i] = u
	}
	return f
}

var floatKinds = []string{"unit", "wide", "denormal", "sparse", "cancel"}

// floatClamps are activation ranges: none, RELU, RELU6, RELU_N1_TO_1,
// and signed-zero bounds that the fused clamp must not get wrong.
var floatClamps = [][2]float32{
	{negInf, posInf}, {0, posInf}, {0, 6}, {-1, 1},
	{float32(math.Copysign(0, -1)), posInf}, {negInf, 0}, {negInf, float32(math.Copysign(0, -1))},
	{float32(math.Copysign(0, -1)), float32(math.Copysign(0, -1))}, {float32(math.Copysign(0, -1)), 0},
	{0, 0}, {-0.25, 0.5},
}

// floatBias returns a bias of n values (nil for kind "none"), some of
// them −0 for "negzero".
func floatBias(r *rand.Rand, kind string, n int) []float32 {
	switch kind {
	case "none":
		return nil
	case "negzero":
		b := floatData(r, "unit", n)
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = float32(math.Copysign(0, -1))
			}
		}
		return b
	}
	return floatData(r, "unit", n)
}

// sameBits reports the first element where got and want differ in bits.
func sameBits(got, want []float32) string {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return fmt.Sprintf("element %d: %g (%#08x), want %g (%#08x)", i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	return ""
}

var floatConvCases = []struct {
	name string
	p    ConvParams
}{
	{"1x1/c16/px8", geom(1, 2, 4, 16, 16, 1, 1, 1, 1, 1, false)},
	{"1x1/c32/px64", geom(1, 8, 8, 24, 32, 1, 1, 1, 1, 1, false)},
	{"1x1/ragged", geom(1, 3, 5, 9, 23, 1, 1, 1, 1, 1, false)},
	{"1x1/oddK/px13", geom(1, 1, 13, 7, 17, 1, 1, 1, 1, 1, false)},
	{"1x1/s2", geom(1, 9, 7, 5, 20, 1, 1, 2, 1, 1, true)},
	{"1x1/k1", geom(2, 3, 3, 1, 33, 1, 1, 1, 1, 1, false)},
	{"1x1/c8", geom(1, 6, 6, 16, 8, 1, 1, 1, 1, 1, false)},
	{"1x1/bigK", geom(1, 3, 3, 301, 48, 1, 1, 1, 1, 1, false)},
	{"3x3/s2/same", geom(1, 9, 11, 3, 8, 3, 3, 2, 1, 1, true)},
	{"3x3/s1/same/c70", geom(1, 5, 6, 7, 70, 3, 3, 1, 1, 1, true)},
	{"3x3/d2", geom(1, 9, 9, 4, 16, 3, 3, 1, 2, 1, true)},
	{"5x3/valid", geom(2, 12, 10, 3, 19, 5, 3, 1, 2, 1, false)},
	{"pixel", geom(1, 1, 1, 40, 17, 1, 1, 1, 1, 1, false)},
	{"3x3/in-place/wide", geom(1, 6, 30, 3, 16, 3, 3, 1, 1, 1, true)},
	{"3x3/s2/in-place", geom(2, 9, 41, 5, 21, 3, 3, 2, 1, 1, true)},
	{"3x3/d2/in-place", geom(1, 9, 40, 4, 16, 3, 3, 1, 2, 1, true)},
	{"7x7/d2/im2col only", geom(1, 14, 30, 2, 16, 7, 7, 1, 2, 1, false)},
	{"7x7/in-place", geom(1, 9, 30, 2, 16, 7, 7, 1, 1, 1, true)},
	{"3x3/dilation 2x1", func() ConvParams {
		p := geom(1, 12, 30, 3, 16, 3, 3, 1, 1, 1, false)
		p.DilationH, p.OutH = 2, 12-4
		return p
	}()},
}

// TestConvFloatPathsSameBits runs float CONV_2D and FULLY_CONNECTED on
// every path and compares the bits with the generic path's.
func TestConvFloatPathsSameBits(t *testing.T) {
	if len(floatSIMDPaths()) == 0 {
		t.Skip("no float SIMD path here")
	}
	r := rand.New(rand.NewPCG(12, 32))
	for _, tc := range floatConvCases {
		p := tc.p
		k := p.KH * p.KW * p.InC
		for ci, kind := range floatKinds {
			in := floatData(r, kind, p.N*p.InH*p.InW*p.InC)
			f := floatData(r, floatKinds[(ci+1)%len(floatKinds)], p.OutC*k)
			bias := floatBias(r, []string{"none", "unit", "negzero"}[ci%3], p.OutC)
			cl := floatClamps[(ci*3+len(tc.name))%len(floatClamps)]
			for _, workers := range []int{1, 2} {
				name := fmt.Sprintf("%s/%s/clamp=%v/workers=%d", tc.name, kind, cl, workers)
				want := runConvFloatOn(t, PathGeneric, &p, in, f, bias, cl, workers)
				for _, path := range floatSIMDPaths() {
					if d := sameBits(runConvFloatOn(t, path, &p, in, f, bias, cl, workers), want); d != "" {
						t.Errorf("%s: ConvFloat32Packed on %v differs from generic at %s", name, path, d)
					}
				}
			}
		}
		// Every clamp once on one data set.
		in := floatData(r, "sparse", p.N*p.InH*p.InW*p.InC)
		f := floatData(r, "cancel", p.OutC*k)
		bias := floatBias(r, "negzero", p.OutC)
		for _, cl := range floatClamps {
			want := runConvFloatOn(t, PathGeneric, &p, in, f, bias, cl, 1)
			for _, path := range floatSIMDPaths() {
				if d := sameBits(runConvFloatOn(t, path, &p, in, f, bias, cl, 1), want); d != "" {
					t.Errorf("%s/clamp=%v: %v differs from generic at %s", tc.name, cl, path, d)
				}
			}
		}
	}
}

func runConvFloatOn(t *testing.T, path Path, p *ConvParams, in, f, bias []float32, cl [2]float32, workers int) []float32 {
	t.Helper()
	prev := Active()
	defer func() { _ = SetPath(prev) }()
	if err := SetPath(path); err != nil {
		t.Fatal(err)
	}
	pf := PackConvFloat32(p.OutC, p.KH*p.KW*p.InC, f, bias)
	if pf.path != path {
		t.Fatalf("packed with %v active: path %v", path, pf.path)
	}
	pool := NewPool(workers)
	defer pool.Close()
	out := make([]float32, p.N*p.OutH*p.OutW*p.OutC)
	ConvFloat32Packed(p, in, pf, out, cl[0], cl[1], NewScratch(ConvScratchSize(p, 4, workers)), pool)
	if p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadTop == 0 && p.PadLeft == 0 {
		// The same GEMM as a FULLY_CONNECTED over every pixel.
		fc := make([]float32, len(out))
		FullyConnectedFloat32(p.N*p.InH*p.InW, p.InC, p.OutC, in, f, bias, fc, cl[0], cl[1], nil, pool)
		if d := sameBits(fc, out); d != "" {
			t.Errorf("%v: FullyConnectedFloat32 differs from ConvFloat32Packed at %s", path, d)
		}
	}
	return out
}

var floatDepthwiseCases = []struct {
	name string
	p    ConvParams
}{
	{"3x3/s1/same/c8", geom(1, 7, 9, 8, 8, 3, 3, 1, 1, 1, true)},
	{"3x3/s2/same/c16", geom(1, 9, 8, 16, 16, 3, 3, 2, 1, 1, true)},
	{"3x3/s1/valid/c24", geom(2, 6, 5, 24, 24, 3, 3, 1, 1, 1, false)},
	{"3x3/d2/same/c40", geom(1, 8, 9, 40, 40, 3, 3, 1, 2, 1, true)},
	{"3x3/s2/valid/c8", geom(1, 11, 10, 8, 8, 3, 3, 2, 1, 1, false)},
	{"3x3/narrow", geom(1, 3, 2, 8, 8, 3, 3, 1, 1, 1, true)},
	{"3x3/c12 (generic kernel)", geom(1, 5, 5, 12, 12, 3, 3, 1, 1, 1, true)},
	{"5x5/c8 (generic kernel)", geom(1, 6, 6, 8, 8, 5, 5, 1, 1, 1, true)},
	{"3x3/dm2 (reference)", geom(1, 5, 5, 4, 8, 3, 3, 1, 1, 2, true)},
}

// TestDepthwiseFloatPathsSameBits runs float DEPTHWISE_CONV_2D on every
// path and compares the bits with the generic path's.
func TestDepthwiseFloatPathsSameBits(t *testing.T) {
	if len(floatSIMDPaths()) == 0 {
		t.Skip("no float SIMD path here")
	}
	r := rand.New(rand.NewPCG(12, 33))
	for _, tc := range floatDepthwiseCases {
		p := tc.p
		taps := p.KH * p.KW
		for ci, kind := range floatKinds {
			in := floatData(r, kind, p.N*p.InH*p.InW*p.InC)
			f := floatData(r, floatKinds[(ci+2)%len(floatKinds)], taps*p.OutC)
			for bi, bk := range []string{"none", "unit", "negzero"} {
				bias := floatBias(r, bk, p.OutC)
				for li, cl := range floatClamps {
					if (li+bi+ci)%3 != 0 && bk != "negzero" {
						continue // every clamp with every bias kind, not all data kinds
					}
					for _, workers := range []int{1, 2} {
						name := fmt.Sprintf("%s/%s/bias=%s/clamp=%v/workers=%d", tc.name, kind, bk, cl, workers)
						want := runDepthwiseFloatOn(t, PathGeneric, &p, in, f, bias, cl, workers)
						for _, path := range floatSIMDPaths() {
							if d := sameBits(runDepthwiseFloatOn(t, path, &p, in, f, bias, cl, workers), want); d != "" {
								t.Errorf("%s: DepthwiseFloat32 on %v differs from generic at %s", name, path, d)
							}
						}
					}
				}
			}
		}
	}
}

func runDepthwiseFloatOn(t *testing.T, path Path, p *ConvParams, in, f, bias []float32, cl [2]float32, workers int) []float32 {
	t.Helper()
	prev := Active()
	defer func() { _ = SetPath(prev) }()
	if err := SetPath(path); err != nil {
		t.Fatal(err)
	}
	pool := NewPool(workers)
	defer pool.Close()
	out := make([]float32, p.N*p.OutH*p.OutW*p.OutC)
	DepthwiseFloat32(p, in, f, bias, out, cl[0], cl[1], NewScratch(DepthwiseScratchSize(p, 4, workers)), pool)
	return out
}

func TestDwInterior(t *testing.T) {
	for _, tc := range floatDepthwiseCases {
		p := tc.p
		lo, hi := dwInterior(&p)
		for ox := range p.OutW {
			ix0 := ox*p.StrideW - p.PadLeft
			inside := ix0 >= 0 && ix0+(p.KW-1)*p.DilationW < p.InW
			if got := ox >= lo && ox < hi; got != inside && p.KW == 3 {
				t.Errorf("%s: column %d interior %v, want %v (range [%d, %d))", tc.name, ox, got, inside, lo, hi)
			}
		}
	}
}

// FuzzFloatTile compares the float micro-kernels with scalar Go sums of
// rounded products (the generic path's arithmetic) on tiles drawn from the
// fuzz input: any finite floats (so sums may overflow to ±Inf or become
// NaN), or one of floatData's kinds.
func FuzzFloatTile(f *testing.F) {
	f.Add(uint64(1), uint16(1), uint8(0))
	f.Add(uint64(2), uint16(300), uint8(1))
	f.Add(uint64(3), uint16(77), uint8(4))
	f.Add(uint64(4), uint16(199), uint8(0))
	f.Add(uint64(5), uint16(64), uint8(2))
	f.Add(uint64(6), uint16(515), uint8(5))
	f.Fuzz(func(t *testing.T, seed uint64, k16 uint16, mode uint8) {
		if len(floatSIMDPaths()) == 0 {
			t.Skip("no float SIMD path here")
		}
		if available(PathNEON) {
			checkFloatTileNEON(t, seed, k16, mode)
			return
		}
		k := int(k16%1024) + 1
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
		x := draw(8 * k)
		w := draw(k * floatNRSIMD)
		bias := draw(floatNRSIMD)
		cl := floatClamps[r.IntN(len(floatClamps))]
		if !fusedClamp(cl[0], cl[1]) {
			cl = [2]float32{negInf, posInf}
		}
		var rows [8]*float32
		for i := range rows {
			rows[i] = &x[i*k]
		}
		for _, path := range floatSIMDPaths() {
			mr := 4
			if path == PathVNNI {
				mr = 8
			}
			// Store nout pixels × n channels into a buffer of row stride
			// 20 floats filled with a sentinel that must survive elsewhere.
			nout, n := 1+r.IntN(mr), 1+r.IntN(floatNRSIMD)
			if r.IntN(2) == 0 {
				nout, n = mr, floatNRSIMD
			}
			// k taps as one segment, or as segments of 7 taps.
			segs := []uintptr{0}
			nseg, seglen := 1, k
			if k%7 == 0 {
				nseg, seglen = k/7, 7
				segs = make([]uintptr, nseg)
				for s := range segs {
					segs[s] = uintptr(4 * 7 * s)
				}
			}
			const stride = floatNRSIMD + 4
			out := make([]float32, mr*stride)
			sentinel := math.Float32frombits(0x7fc0dead)
			for i := range out {
				out[i] = sentinel
			}
			// The AVX2 kernels take nil for a whole block.
			m16, m8 := &floatMask[floatNRSIMD-n], &floatMask[floatNRSIMD-n]
			if n == floatNRSIMD {
				m16 = nil
			}
			if n == 8 {
				m8 = nil
			}
			switch {
			case mr == 4 && n <= 8 && r.IntN(2) == 0:
				// The 8-channel kernel (both paths use it), 8 pixels.
				nout = 1 + r.IntN(8)
				mr = 8
				out = make([]float32, mr*stride)
				for i := range out {
					out[i] = sentinel
				}
				gemmF32Tile8x8AVX2(&rows[0], &segs[0], nseg, seglen, &w[0], &bias[0], &cl[0], &out[0], 4*stride, nout, m8)
			case mr == 8:
				gemmF32TileAVX512(&rows[0], &segs[0], nseg, seglen, &w[0], &bias[0], &cl[0], &out[0], 4*stride, nout, &floatMask[floatNRSIMD-n])
			default:
				gemmF32TileAVX2(&rows[0], &segs[0], nseg, seglen, &w[0], &bias[0], &cl[0], &out[0], 4*stride, nout, m16)
			}
			for i := range mr {
				for c := range stride {
					got := out[i*stride+c]
					if i >= nout || c >= n {
						if math.Float32bits(got) != 0x7fc0dead {
							t.Fatalf("%v nout=%d n=%d: pixel %d lane %d written (%g)", path, nout, n, i, c, got)
						}
						continue
					}
					var acc float32
					for t := range k {
						acc += float32(x[i*k+t] * w[t*floatNRSIMD+c])
					}
					want := min(max(acc+bias[c], cl[0]), cl[1])
					if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
						t.Fatalf("%v k=%d pixel %d channel %d: %g (%#08x), want %g (%#08x)", path, k, i, c, got, math.Float32bits(got), want, math.Float32bits(want))
					}
				}
			}
		}
		// The depthwise kernel on a 3x3 image of 8·c8 channels: one
		// pixel with every tap inside, sums starting at the bias (no −0
		// bias: the fused clamp's condition).
		c8 := 1 + int(seed%4)
		c := 8 * c8
		img, dw := draw(9*c), draw(9*c)
		dwBias := draw(c)
		for i, b := range dwBias {
			if b == 0 {
				dwBias[i] = 0 // +0: the fused clamp needs a bias without −0
			}
		}
		out := make([]float32, c)
		dw3x3F32AVX2(&img[0], &dw[0], &dwBias[0], &out[0], c8, uintptr(4*3*c), uintptr(4*c), 0, 1, &cl[0])
		for ch := range c {
			acc := dwBias[ch]
			for tap := range 9 {
				acc += float32(img[tap*c+ch] * dw[tap*c+ch])
			}
			want := min(max(acc, cl[0]), cl[1])
			if got := out[ch]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("depthwise c=%d channel %d: %g, want %g", c, ch, got, want)
			}
		}
	})
}

// TestFloatKernelsDoNotAllocate checks the float calls on every path.
func TestFloatKernelsDoNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 7))
	p := geom(1, 16, 16, 8, 24, 3, 3, 1, 1, 1, true)
	p1 := geom(1, 16, 16, 8, 40, 1, 1, 1, 1, 1, false)
	dw := geom(1, 16, 16, 16, 16, 3, 3, 2, 1, 1, true)
	in, out := floatData(r, "unit", 16*16*16), make([]float32, 16*16*40)
	dwf := floatData(r, "unit", 9*16)
	forEachPath(t, func(path Path) {
		pf := PackConvFloat32(24, 72, floatData(r, "unit", 24*72), nil)
		pf1 := PackConvFloat32(40, 8, floatData(r, "unit", 40*8), floatData(r, "unit", 40))
		for _, workers := range []int{1, 2} {
			pool := NewPool(workers)
			s := NewScratch(max(ConvScratchSize(&p, 4, workers), DepthwiseScratchSize(&dw, 4, workers)))
			for _, c := range []struct {
				name string
				f    func()
			}{
				{"ConvFloat32Packed/3x3", func() { ConvFloat32Packed(&p, in, pf, out, 0, 6, s, pool) }},
				{"ConvFloat32Packed/1x1", func() { ConvFloat32Packed(&p1, in, pf1, out, negInf, posInf, s, pool) }},
				{"FullyConnectedFloat32Packed", func() { FullyConnectedFloat32Packed(3, in, pf1, out, float32(math.Copysign(0, -1)), 1, s, pool) }},
				{"DepthwiseFloat32", func() { DepthwiseFloat32(&dw, in, dwf, nil, out, 0, 6, s, pool) }},
			} {
				c.f()
				if n := testing.AllocsPerRun(20, c.f); n != 0 {
					t.Errorf("%s (%v) with %d workers: %v allocations per call; want 0", c.name, path, workers, n)
				}
			}
			pool.Close()
		}
	})
}

func TestIm2colRowsFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range floatConvCases {
		p := tc.p
		k := p.KH * p.KW * p.InC
		in := floatData(r, "unit", p.N*p.InH*p.InW*p.InC)
		pixels := convPixels(&p)
		for p0 := 0; p0 < pixels; p0 += 5 {
			np := min(convMP, pixels-p0)
			got := make([]float32, convMP*k)
			im2colRowsFloat(&p, in, p0, np, got, k)
			want := make([]float32, convMP*k)
			for i := range np {
				im2colRowFloat(&p, in, p0+i, want[i*k:][:k])
			}
			if d := sameBits(got, want); d != "" {
				t.Fatalf("%s: pixels %d..%d: %s", tc.name, p0, p0+np-1, d)
			}
		}
	}
}

// floatSIMDPaths are the available paths with float32 kernels: amd64's,
// and arm64's neon and dotprod.
func floatSIMDPaths() []Path {
	var ps []Path
	for _, p := range Available() {
		if p.x86() || p.arm64() {
			ps = append(ps, p)
		}
	}
	return ps
}
