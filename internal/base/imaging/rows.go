package imaging

import (
	"image"
	"image/color"
)

// rowReader writes row y of an image (absolute coordinates, the full width
// of its bounds) as packed RGB into dst, len(dst) = 3 × width.
type rowReader func(dst []uint8, y int)

// rowsOf returns the fastest rowReader for src.
func rowsOf(src image.Image) rowReader {
	b := src.Bounds()
	w := b.Dx()
	switch s := src.(type) {
	case *image.RGBA:
		return func(dst []uint8, y int) { packRGB(dst, s.Pix[s.PixOffset(b.Min.X, y):][:4*w]) }
	case *image.NRGBA:
		// Pillow's convert("RGB") drops alpha without premultiplying.
		return func(dst []uint8, y int) { packRGB(dst, s.Pix[s.PixOffset(b.Min.X, y):][:4*w]) }
	case *image.Gray:
		return func(dst []uint8, y int) {
			row := s.Pix[s.PixOffset(b.Min.X, y):][:w]
			for i, v := range row {
				d := dst[3*i : 3*i+3 : 3*i+3]
				d[0], d[1], d[2] = v, v, v
			}
		}
	case *image.YCbCr:
		return ycbcrRows(s)
	}
	return func(dst []uint8, y int) {
		for i := range w {
			c := color.NRGBAModel.Convert(src.At(b.Min.X+i, y)).(color.NRGBA)
			dst[3*i], dst[3*i+1], dst[3*i+2] = c.R, c.G, c.B
		}
	}
}

// packRGB copies the RGB bytes of RGBA pixels.
func packRGB(dst, rgba []uint8) {
	n := len(rgba) / 4
	dst = dst[:3*n]
	for i := range n {
		s := rgba[4*i : 4*i+3 : 4*i+3]
		d := dst[3*i : 3*i+3 : 3*i+3]
		d[0], d[1], d[2] = s[0], s[1], s[2]
	}
}
