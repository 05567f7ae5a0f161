package kernels

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestIm2colTile checks the tile-at-once im2col against im2colBytes for
// every tile of convolutions whose filter rows are 8–16 bytes and of some
// it must refuse, with padding, strides, dilations, several images and
// tiles that cross an output row.
func TestIm2colTile(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	tests := []struct {
		p     ConvParams
		tiles bool // some tile lies in one row with all taps inside
	}{
		{geom(1, 224, 224, 3, 32, 3, 3, 2, 1, 1, true), true},
		{geom(2, 13, 11, 3, 8, 3, 3, 1, 1, 1, true), true},
		{geom(1, 17, 19, 4, 8, 3, 3, 2, 1, 1, false), true},
		{geom(1, 12, 12, 8, 8, 2, 2, 1, 1, 1, true), true},
		{geom(1, 20, 20, 2, 8, 5, 5, 1, 1, 1, true), true},
		{geom(1, 9, 9, 2, 8, 5, 5, 1, 1, 1, true), false},   // 5 interior columns
		{geom(1, 15, 15, 5, 8, 3, 3, 1, 2, 1, true), false}, // dilated rows
		{geom(1, 9, 9, 1, 8, 5, 5, 1, 1, 1, true), false},   // 5-byte rows
		{geom(1, 9, 9, 6, 8, 3, 3, 1, 1, 1, true), false},   // 18-byte rows
	}
	for _, tt := range tests {
		p := tt.p
		t.Run(fmt.Sprintf("%dx%dx%d_k%dx%d_s%d_d%d", p.InH, p.InW, p.InC, p.KH, p.KW, p.StrideW, p.DilationW), func(t *testing.T) {
			in := randBytes[uint8](r, p.N*p.InH*p.InW*p.InC)
			k := p.KH * p.KW * p.InC
			rowB := (k + 3) &^ 3
			pixels := convPixels(&p)
			tiled := 0
			for p0 := 0; p0 < pixels; p0 += convMP {
				np := min(convMP, pixels-p0)
				var got, want pixCursor
				got.start(&p, p0)
				want.start(&p, p0)
				panel := make([]byte, convMP*rowB)
				var rows [convMP]uintptr
				if !im2colTile(&p, in, &got, np, panel, rowB, &rows) {
					continue
				}
				tiled++
				for i := range np {
					exp := make([]byte, k)
					im2colBytes(&p, in, &want, 0x55, exp)
					if !bytes.Equal(panel[i*rowB:][:k], exp) {
						t.Fatalf("tile at pixel %d, row %d: %v; im2colBytes gives %v", p0, i, panel[i*rowB:][:k], exp)
					}
					if rows[i] != uintptrOf(&panel[i*rowB]) {
						t.Fatalf("tile at pixel %d: rows[%d] does not point at its panel row", p0, i)
					}
					want.next(&p)
				}
				if got != want {
					t.Fatalf("tile at pixel %d: cursor %+v after the tile; want %+v", p0, got, want)
				}
			}
			if tt.tiles != (tiled > 0) {
				t.Errorf("%d tiles done at once; want some: %v", tiled, tt.tiles)
			}
		})
	}
}
