package imaging

import "math"

// precision is Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2.
const precision = 22

// coeffs are the fixed-point filter taps of one axis, as Pillow's
// precompute_coeffs and normalize_coeffs_8bpc compute them.
type coeffs struct {
	in, out int
	ksize   int     // taps per output sample (the stride of k)
	first   []int   // first input sample of output i
	n       []int   // taps of output i
	k       []int32 // out × ksize weights, each row summing to about 1<<precision
}

// triangle is Pillow's bilinear filter, support 1.
func triangle(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

// newCoeffs computes the taps that resample in samples to out samples.
func newCoeffs(in, out int) *coeffs {
	scale := float64(in) / float64(out)
	filterscale := max(scale, 1)
	support := 1.0 * filterscale
	ksize := int(math.Ceil(support))*2 + 1
	c := &coeffs{in: in, out: out, ksize: ksize, first: make([]int, out), n: make([]int, out), k: make([]int32, out*ksize)}
	w := make([]float64, ksize)
	ss := 1 / filterscale
	for xx := range out {
		center := (float64(xx) + 0.5) * scale
		xmin := max(int(center-support+0.5), 0) // int() truncates like C's (int)
		xmax := min(int(center+support+0.5), in) - xmin
		xmax = min(xmax, ksize)
		ww := 0.0
		for x := range xmax {
			w[x] = triangle((float64(x+xmin) - center + 0.5) * ss)
			ww += w[x]
		}
		row := c.k[xx*ksize : xx*ksize+ksize]
		for x := range xmax {
			v := w[x]
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				row[x] = int32(-0.5 + v*(1<<precision))
			} else {
				row[x] = int32(0.5 + v*(1<<precision))
			}
		}
		c.first[xx], c.n[xx] = xmin, xmax
	}
	return c
}

// clip8 converts a fixed-point sum to a byte as Pillow's clip8 does.
func clip8(v int32) uint8 {
	if v >= 255<<precision {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v >> precision)
}
