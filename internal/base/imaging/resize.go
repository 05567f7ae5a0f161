package imaging

import (
	"image"
	"sync"
)

// Bilinear resizes frames like Resize and keeps its filter coefficients and
// buffers between calls of the same sizes. The zero value is ready; a
// Bilinear is not safe for concurrent use.
type Bilinear struct {
	h, v *coeffs
	row  []uint8 // one source row, RGB
	tmp  []uint8 // horizontally resized rows, RGB
	acc  []int32 // vertical accumulators for one output row
}

var pool = sync.Pool{New: func() any { return new(Bilinear) }}

// Resize scales src to exactly dst's bounds with Pillow's Image.BILINEAR
// filter (antialiased when downscaling) and writes opaque RGB into dst. It
// has fast paths for *image.YCbCr, *image.RGBA, *image.NRGBA and
// *image.Gray; other types go through their At method. Alpha in src is
// dropped, as Pillow's convert("RGB") does. An empty src or dst leaves dst
// unchanged.
func Resize(dst *image.RGBA, src image.Image) {
	r := pool.Get().(*Bilinear)
	r.Resize(dst, src)
	pool.Put(r)
}

// Resize scales src to dst's bounds; see the package function Resize.
func (r *Bilinear) Resize(dst *image.RGBA, src image.Image) {
	sb, db := src.Bounds(), dst.Bounds()
	inW, inH, outW, outH := sb.Dx(), sb.Dy(), db.Dx(), db.Dy()
	if inW <= 0 || inH <= 0 || outW <= 0 || outH <= 0 {
		return
	}
	if r.h == nil || r.h.in != inW || r.h.out != outW {
		r.h = newCoeffs(inW, outW)
	}
	if r.v == nil || r.v.in != inH || r.v.out != outH {
		r.v = newCoeffs(inH, outH)
	}
	h, v := r.h, r.v
	// Only the source rows the vertical filter reaches are read.
	first := v.first[0]
	last := v.first[outH-1] + v.n[outH-1]
	rows := last - first
	r.row = grow(r.row, 3*inW)
	r.tmp = grow(r.tmp, 3*outW*rows)
	read := rowsOf(src)
	for y := range rows {
		read(r.row, sb.Min.Y+first+y)
		horizontal(r.tmp[3*outW*y:3*outW*(y+1)], r.row, h)
	}
	r.acc = growInt32(r.acc, 3*outW)
	vertical(dst, r.tmp, r.acc, v, first, outW)
}

// horizontal resamples one RGB row.
func horizontal(out, row []uint8, c *coeffs) {
	for xx := range c.out {
		x0, n := c.first[xx], c.n[xx]
		k := c.k[xx*c.ksize : xx*c.ksize+n]
		s := row[3*x0 : 3*(x0+n)]
		r, g, b := int32(1<<(precision-1)), int32(1<<(precision-1)), int32(1<<(precision-1))
		for i, w := range k {
			p := s[3*i : 3*i+3 : 3*i+3]
			r += int32(p[0]) * w
			g += int32(p[1]) * w
			b += int32(p[2]) * w
		}
		o := out[3*xx : 3*xx+3 : 3*xx+3]
		o[0], o[1], o[2] = clip8(r), clip8(g), clip8(b)
	}
}

// vertical resamples the intermediate rows (which start at source row
// first) into dst.
func vertical(dst *image.RGBA, tmp []uint8, acc []int32, c *coeffs, first, outW int) {
	stride := 3 * outW
	for yy := range c.out {
		y0, n := c.first[yy]-first, c.n[yy]
		k := c.k[yy*c.ksize : yy*c.ksize+n]
		for i := range acc {
			acc[i] = 1 << (precision - 1)
		}
		for i, w := range k {
			row := tmp[(y0+i)*stride : (y0+i+1)*stride]
			row = row[:len(acc)]
			for j, p := range row {
				acc[j] += int32(p) * w
			}
		}
		off := dst.PixOffset(dst.Rect.Min.X, dst.Rect.Min.Y+yy)
		d := dst.Pix[off : off+4*outW]
		for x := range outW {
			a := acc[3*x : 3*x+3 : 3*x+3]
			o := d[4*x : 4*x+4 : 4*x+4]
			o[0], o[1], o[2], o[3] = clip8(a[0]), clip8(a[1]), clip8(a[2]), 255
		}
	}
}

func grow(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	return b[:n]
}

func growInt32(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}

// PackRGB appends the pixels of img as packed RGB bytes, row by row (the
// NHWC layout of a uint8 model input), to dst and returns it.
func PackRGB(dst []uint8, img *image.RGBA) []uint8 {
	b := img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		off := img.PixOffset(b.Min.X, y)
		row := img.Pix[off : off+4*b.Dx()]
		n := len(dst)
		dst = append(dst, make([]uint8, 3*b.Dx())...)
		packRGB(dst[n:], row)
	}
	return dst
}
