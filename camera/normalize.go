package camera

import (
	"image"
	"image/draw"
)

// Normalize returns img unchanged when it is one of the pixel types a Frame
// may carry (*image.RGBA, *image.NRGBA, *image.YCbCr, *image.Gray), and
// otherwise a copy converted to *image.RGBA (paletted PNG and BMP, CMYK
// JPEG, 16-bit PNG).
func Normalize(img image.Image) image.Image {
	switch img.(type) {
	case *image.RGBA, *image.NRGBA, *image.YCbCr, *image.Gray:
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	return out
}
