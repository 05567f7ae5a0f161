package shapes

import (
	"image"
	"math"
)

// planes is a frame being rendered: three float channels, 0..255 once
// clamped.
type planes struct {
	size int
	ch   [3][]float32
}

func newPlanes(size int) *planes {
	pl := &planes{size: size}
	for c := range pl.ch {
		pl.ch[c] = make([]float32, size*size)
	}
	return pl
}

// rgba rounds and clamps to an opaque RGBA image.
func (pl *planes) rgba() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, pl.size, pl.size))
	for i := range pl.size * pl.size {
		for c := range 3 {
			v := float64(pl.ch[c][i])
			img.Pix[4*i+c] = uint8(math.Round(min(max(v, 0), 255)))
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// gaussianBlur blurs every channel with a separable Gaussian of the given
// sigma in pixels, repeating edge pixels.
func (pl *planes) gaussianBlur(sigma float64) {
	if sigma <= 0 {
		return
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	n := pl.size
	tmp := make([]float32, n*n)
	for c := range pl.ch {
		src := pl.ch[c]
		for y := range n {
			for x := range n {
				var acc float32
				for i, w := range k {
					xx := min(max(x+i-r, 0), n-1)
					acc += w * src[y*n+xx]
				}
				tmp[y*n+x] = acc
			}
		}
		for y := range n {
			for x := range n {
				var acc float32
				for i, w := range k {
					yy := min(max(y+i-r, 0), n-1)
					acc += w * tmp[yy*n+x]
				}
				src[y*n+x] = acc
			}
		}
	}
}
