package framestats

import (
	"image"
	"image/color"
)

// rgba samples 4-byte-per-pixel frames (RGBA, or NRGBA taken as stored:
// camera frames are opaque).
func (sp *Sampler) rgba(pix []uint8, stride int, b image.Rectangle) {
	gx, gy := gridSize(b)
	k := 0
	for j := range gy {
		y := point(0, b.Dy(), j, gy)
		for i := range gx {
			x := point(0, b.Dx(), i, gx)
			c := y*stride + 4*x
			yc := luma8(pix[c], pix[c+1], pix[c+2])
			l, r := c-4, c+4
			u, d := c-stride, c+stride
			lap := 4*yc - luma8(pix[l], pix[l+1], pix[l+2]) - luma8(pix[r], pix[r+1], pix[r+2]) -
				luma8(pix[u], pix[u+1], pix[u+2]) - luma8(pix[d], pix[d+1], pix[d+2])
			sp.acc.add(yc, lap, pix[c], pix[c+1], pix[c+2])
			sp.cur[k] = yc
			k++
		}
	}
}

// ycbcr samples JPEG frames: luma from the Y plane, colour converted at
// the sample point only.
func (sp *Sampler) ycbcr(m *image.YCbCr) {
	b := m.Rect
	gx, gy := gridSize(b)
	k := 0
	for j := range gy {
		y := point(b.Min.Y, b.Dy(), j, gy)
		for i := range gx {
			x := point(b.Min.X, b.Dx(), i, gx)
			c := m.YOffset(x, y)
			yc := int32(m.Y[c]) << 8
			lap := 4*yc - int32(m.Y[c-1])<<8 - int32(m.Y[c+1])<<8 - int32(m.Y[c-m.YStride])<<8 - int32(m.Y[c+m.YStride])<<8
			ci := m.COffset(x, y)
			r, g, bl := color.YCbCrToRGB(m.Y[c], m.Cb[ci], m.Cr[ci])
			sp.acc.add(yc, lap, r, g, bl)
			sp.cur[k] = yc
			k++
		}
	}
}

// generic samples any other image through At (which may allocate).
func (sp *Sampler) generic(img image.Image) {
	b := img.Bounds()
	gx, gy := gridSize(b)
	rgb := func(x, y int) (uint8, uint8, uint8) {
		r, g, bl, _ := img.At(x, y).RGBA()
		return uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)
	}
	at := func(x, y int) int32 { return luma8(rgb(x, y)) }
	k := 0
	for j := range gy {
		y := point(b.Min.Y, b.Dy(), j, gy)
		for i := range gx {
			x := point(b.Min.X, b.Dx(), i, gx)
			r, g, bl := rgb(x, y)
			yc := luma8(r, g, bl)
			lap := 4*yc - at(x-1, y) - at(x+1, y) - at(x, y-1) - at(x, y+1)
			sp.acc.add(yc, lap, r, g, bl)
			sp.cur[k] = yc
			k++
		}
	}
}
