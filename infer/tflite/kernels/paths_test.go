package kernels

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// forEachPath calls fn once per kernel path this machine runs, with that
// path active (filters packed inside fn use it), and restores the active
// path afterwards.
func forEachPath(t testing.TB, fn func(p Path)) {
	t.Helper()
	prev := Active()
	defer func() {
		if err := SetPath(prev); err != nil {
			t.Fatal(err)
		}
	}()
	for _, p := range Available() {
		if err := SetPath(p); err != nil {
			t.Fatal(err)
		}
		fn(p)
	}
}

func TestPathNames(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Path
		err  bool
	}{
		{"generic", PathGeneric, false},
		{"AVX2", PathAVX2, false},
		{" vnni ", PathVNNI, false},
		{"neon", PathNEON, false},
		{"DotProd", PathDotprod, false},
		{"sve", 0, true},
		{"", 0, true},
	} {
		got, err := ParsePath(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("ParsePath(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !errors.Is(err, ErrPath) {
			t.Errorf("ParsePath(%q): error %v does not wrap ErrPath", tc.in, err)
		}
		if !tc.err && got.String() != pathNames[tc.want] {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func TestSetPathRefusesUnavailable(t *testing.T) {
	prev := Active()
	defer func() { _ = SetPath(prev) }()
	for _, p := range []Path{PathGeneric, PathAVX2, PathVNNI, PathNEON, PathDotprod, Path(9)} {
		err := SetPath(p)
		if ok := available(p); ok != (err == nil) {
			t.Errorf("SetPath(%v) = %v; available %v", p, err, ok)
		}
		if err != nil && !errors.Is(err, ErrPath) {
			t.Errorf("SetPath(%v): %v does not wrap ErrPath", p, err)
		}
		if err == nil && Active() != p {
			t.Errorf("after SetPath(%v), Active() = %v", p, Active())
		}
	}
	if Available()[0] != PathGeneric || Best() != Available()[len(Available())-1] {
		t.Errorf("Available() = %v, Best() = %v", Available(), Best())
	}
}

func TestPackUsesActivePath(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	q := randQuant(r, 40, 27, true, true, true, false).params()
	forEachPath(t, func(path Path) {
		pf := PackConvInt8(40, 27, randBytes[int8](r, 40*27), nil, q)
		if !pf.fast || pf.path != path {
			t.Errorf("packed with %v active: fast %v, path %v", path, pf.fast, pf.path)
		}
		switch path {
		case PathAVX2:
			if len(pf.w4) != 0 || len(pf.w8) != 0 || len(pf.w16) != pf.simdBlocks()*pf.kp*pf.nr*2 {
				t.Errorf("%v: %d generic words, %d int16 and %d byte weights", path, len(pf.w4), len(pf.w16), len(pf.w8))
			}
		case PathVNNI:
			if len(pf.w4) != 0 || len(pf.w16) != 0 || len(pf.w8) != pf.simdBlocks()*pf.k4*pf.nr*4 {
				t.Errorf("%v: %d generic words, %d int16 and %d byte weights", path, len(pf.w4), len(pf.w16), len(pf.w8))
			}
		case PathNEON:
			// 27 taps padded to 32, 40 channels in 5 blocks of 8.
			if len(pf.w4) != 0 || len(pf.w8) != 0 || len(pf.w16) != 5*32*8 || len(pf.rq) != 5*rqVecs*8 {
				t.Errorf("%v: %d generic words, %d int16 and %d byte weights, %d requantization parameters", path, len(pf.w4), len(pf.w16), len(pf.w8), len(pf.rq))
			}
		case PathDotprod:
			if len(pf.w4) != 0 || len(pf.w16) != 0 || len(pf.w8) != 5*32*8 || len(pf.rq) != 5*rqVecs*8 {
				t.Errorf("%v: %d generic words, %d int16 and %d byte weights, %d requantization parameters", path, len(pf.w4), len(pf.w16), len(pf.w8), len(pf.rq))
			}
		}
	})
}

// FuzzGemmTile compares every SIMD micro-kernel with plain int32 sums on
// tiles drawn from the fuzz input, biased towards the extreme values
// (inputs −128/127, weights ±255).
func FuzzGemmTile(f *testing.F) {
	f.Add(uint64(1), uint16(1), uint8(0))
	f.Add(uint64(2), uint16(960), uint8(1))
	f.Add(uint64(3), uint16(1153), uint8(2))
	f.Fuzz(func(t *testing.T, seed uint64, k16 uint16, mode uint8) {
		k := int(k16%2048) + 1
		r := rand.New(rand.NewPCG(seed, uint64(k)))
		pick := func(lo, hi int32) int32 {
			switch mode % 3 {
			case 1: // extremes only
				if r.IntN(2) == 0 {
					return lo
				}
				return hi
			case 2: // mostly extremes
				if r.IntN(4) != 0 {
					return []int32{lo, hi}[r.IntN(2)]
				}
			}
			return lo + r.Int32N(hi-lo+1)
		}
		if available(PathVNNI) {
			// The VPDPBUSD kernel: unsigned bytes × signed bytes, sums
			// starting at a per-pixel value.
			k4 := (k + 3) / 4
			x := make([]byte, 8*4*k4)
			w := make([]int8, k4*32*4)
			init := make([]int32, 8)
			for i := range 8 {
				init[i] = int32(r.Uint32())
				for t := range k {
					x[i*4*k4+t] = byte(pick(0, 255))
				}
			}
			for c := range 32 {
				for t := range k {
					w[(t/4)*128+c*4+t%4] = int8(pick(-128, 127))
				}
			}
			acc := make([]int32, 8*32)
			gemmTileVNNI8(&x[0], uintptr(4*k4), &w[0], k4, &acc[0], &init[0])
			for i := range 8 {
				for c := range 32 {
					want := init[i]
					for t := range k {
						want += int32(x[i*4*k4+t]) * int32(w[(t/4)*128+c*4+t%4])
					}
					if acc[i*32+c] != want {
						t.Fatalf("VPDPBUSD k=%d pixel %d channel %d: %d, want %d", k, i, c, acc[i*32+c], want)
					}
				}
			}
		}
		for _, path := range Available()[1:] {
			if !path.x86() {
				continue // FuzzGemmTileARM
			}
			mr, nr := simdGeom(path)
			kp := (k + 1) / 2
			x := make([]int16, mr*2*kp)
			w := make([]int16, kp*nr*2)
			for i := range mr {
				for t := range k {
					x[i*2*kp+t] = int16(pick(-128, 127))
				}
			}
			for c := range nr {
				for t := range k {
					w[(t/2)*nr*2+c*2+t%2] = int16(pick(-255, 255))
				}
			}
			acc := make([]int32, mr*nr)
			gemmTile(path, &x[0], uintptr(4*kp), &w[0], kp, &acc[0])
			for i := range mr {
				for c := range nr {
					var want int32
					for t := range k {
						want += int32(x[i*2*kp+t]) * int32(w[(t/2)*nr*2+c*2+t%2])
					}
					if acc[i*nr+c] != want {
						t.Fatalf("%v k=%d pixel %d channel %d: %d, want %d", path, k, i, c, acc[i*nr+c], want)
					}
				}
			}
		}
	})
}
