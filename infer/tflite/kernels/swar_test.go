package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAddBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 1001} {
		in := randBytes[uint8](r, n)
		for c := range 256 {
			got := make([]byte, n)
			addBytes(in, got, byte(c))
			for i, v := range in {
				if got[i] != v+byte(c) {
					t.Fatalf("addBytes(n=%d, c=%d)[%d] = %d; want %d", n, c, i, got[i], v+byte(c))
				}
			}
		}
	}
}

func TestByteOffset(t *testing.T) {
	var table [256]byte
	for b := range 256 {
		table[b] = byte(b) ^ 0x80
	}
	if c, ok := byteOffset(&table); !ok || c != 0x80 {
		t.Errorf("byteOffset(b^0x80) = %d, %v; want 128, true", c, ok)
	}
	table[255] = 0 // a clamped end
	if _, ok := byteOffset(&table); ok {
		t.Error("byteOffset accepted a table that is not one offset")
	}
}

func TestSumChannels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fills := []struct {
		name string
		gen  func() byte
	}{
		{"random", func() byte { return byte(r.Uint32()) }},
		{"all 255", func() byte { return 255 }},
		{"all 127", func() byte { return 127 }},
		{"all 128", func() byte { return 128 }},
	}
	for _, f := range fills {
		for _, channels := range []int{1, 7, 8, 24, 63, 64, 65, 130} {
			for _, pixels := range []int{1, 49, 255, 256, 257, 600} {
				img := make([]byte, pixels*channels)
				for i := range img {
					img[i] = f.gen()
				}
				for _, signed := range []bool{false, true} {
					want := make([]int32, channels)
					for i, v := range img {
						if signed {
							want[i%channels] += int32(int8(v))
						} else {
							want[i%channels] += int32(v)
						}
					}
					got := make([]int32, channels)
					for i := range got {
						got[i] = 12345 // stale sums are overwritten
					}
					sumChannels(img, pixels, channels, signed, got)
					if !slices.Equal(got, want) {
						t.Fatalf("%s: sumChannels(pixels=%d, channels=%d, signed=%v) = %v; want %v", f.name, pixels, channels, signed, got, want)
					}
				}
			}
		}
	}
}
