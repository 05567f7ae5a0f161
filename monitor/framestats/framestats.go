// Package framestats measures what a camera frame looks like, cheaply
// enough for every frame: brightness, contrast, sharpness, colour and the
// signs of a broken camera (black, blown out, uniform, frozen), all from
// pixels sampled on a grid of at most Grid×Grid points.
//
// Luma is ITU-R BT.601, Y = 0.299 R + 0.587 G + 0.114 B on 0…255, in the
// 16-bit fixed point Pillow's convert("L") uses (19595, 38470, 7471)/65536,
// kept to 1/256 of a level; JPEG (YCbCr) frames use their stored Y.
// Measure allocates nothing.
package framestats

import (
	"image"
	"math"
)

// Grid is the largest number of sample points along each axis.
const Grid = 16

// Stats describes one frame. Every value is on the 0…255 scale of 8-bit
// pixels (squared for Sharpness).
type Stats struct {
	// Brightness is the mean luma of the sample points.
	Brightness float64
	// Contrast is the RMS contrast: the standard deviation of their luma.
	Contrast float64
	// Sharpness is the variance of the 4-neighbour Laplacian
	// 4·Y(x,y) − Y(x−1,y) − Y(x+1,y) − Y(x,y−1) − Y(x,y+1) at the sample
	// points, taken on the frame's own pixels (the neighbours are the
	// adjacent pixels, not adjacent grid points): blur lowers it, noise
	// raises it.
	Sharpness float64
	// R, G, B are the channel means.
	R, G, B float64
	// Dark and Bright are the shares of sample points with luma < 16 and
	// > 239.
	Dark, Bright float64
	// Change is the mean absolute luma difference to the previous frame
	// measured with the same Sampler at the same points; −1 for the first
	// frame or after a size change.
	Change float64
}

// Sampler measures frames. It keeps the previous frame's luma for Change,
// so use one per camera; it is not safe for concurrent use.
type Sampler struct {
	prev, cur [Grid * Grid]int32
	n         int
	bounds    image.Rectangle
	acc       acc
}

// acc sums one frame's sample points; luma is in 1/256 levels.
type acc struct {
	y, y2, l, l2, r, g, b int64
	dark, bright, k       int
}

const (
	darkY   = 16 << 8
	brightY = 239 << 8
)

func (a *acc) add(y, lap int32, r, g, b uint8) {
	a.y += int64(y)
	a.y2 += int64(y) * int64(y)
	a.l += int64(lap)
	a.l2 += int64(lap) * int64(lap)
	a.r += int64(r)
	a.g += int64(g)
	a.b += int64(b)
	if y < darkY {
		a.dark++
	} else if y > brightY {
		a.bright++
	}
	a.k++
}

// Measure fills s for img. Frames smaller than 3×3 pixels give zero
// statistics.
func (sp *Sampler) Measure(img image.Image, s *Stats) {
	*s = Stats{Change: -1}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 3 || h < 3 {
		sp.n, sp.bounds = 0, image.Rectangle{}
		return
	}
	sp.acc = acc{}
	switch m := img.(type) {
	case *image.RGBA:
		sp.rgba(m.Pix, m.Stride, b)
	case *image.NRGBA:
		sp.rgba(m.Pix, m.Stride, b)
	case *image.YCbCr:
		sp.ycbcr(m)
	default:
		sp.generic(img)
	}
	a := &sp.acc
	n := float64(a.k)
	const s8 = 256.0
	s.Brightness = float64(a.y) / n / s8
	s.Contrast = math.Sqrt(float64(int64(a.k)*a.y2-a.y*a.y)) / n / s8
	s.Sharpness = float64(int64(a.k)*a.l2-a.l*a.l) / (n * n) / (s8 * s8)
	s.R, s.G, s.B = float64(a.r)/n, float64(a.g)/n, float64(a.b)/n
	s.Dark, s.Bright = float64(a.dark)/n, float64(a.bright)/n
	if sp.n == a.k && sp.bounds == b {
		var d int64
		for i, v := range sp.cur[:a.k] {
			d += int64(abs(v - sp.prev[i]))
		}
		s.Change = float64(d) / n / s8
	}
	sp.prev, sp.n, sp.bounds = sp.cur, a.k, b
}

// points returns the sample coordinates along an axis of length n
// starting at lo: interior points spread evenly, so neighbours exist.
func point(lo, n, i, g int) int { return lo + 1 + (2*i+1)*(n-2)/(2*g) }

func gridSize(b image.Rectangle) (gx, gy int) { return min(Grid, b.Dx()-2), min(Grid, b.Dy()-2) }

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// luma8 is BT.601 luma in 1/256 levels.
func luma8(r, g, b uint8) int32 {
	return int32((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b)) >> 8)
}
