package imaging

import "image"

// libjpeg's YCbCr → RGB tables (jdcolor.c, SCALEBITS 16), so that frames
// decoded by Go match the RGB that Pillow gets from libjpeg-turbo.
var (
	crR [256]int32 // Cr contribution to R
	cbB [256]int32 // Cb contribution to B
	crG [256]int32 // Cr contribution to G, scaled by 1<<16
	cbG [256]int32 // Cb contribution to G, scaled by 1<<16, with rounding
)

func init() {
	const scale = 16
	fix := func(x float64) int32 { return int32(x*(1<<scale) + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (fix(1.40200)*x + 1<<(scale-1)) >> scale
		cbB[i] = (fix(1.77200)*x + 1<<(scale-1)) >> scale
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + 1<<(scale-1)
	}
}

func clampByte(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// ycc writes one RGB pixel as libjpeg's ycc_rgb_convert does.
func ycc(d []uint8, y, cb, cr uint8) {
	yy := int32(y)
	d[0] = clampByte(yy + crR[cr])
	d[1] = clampByte(yy + (cbG[cb]+crG[cr])>>16)
	d[2] = clampByte(yy + cbB[cb])
}

// ycbcrRows converts rows of a YCbCr image. 4:2:0 and 4:2:2 chroma are
// upsampled with libjpeg's "fancy" triangle filter (its default); other
// subsamplings replicate chroma samples.
func ycbcrRows(s *image.YCbCr) rowReader {
	b := s.Rect
	w := b.Dx()
	switch s.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
		return func(dst []uint8, y int) {
			yo := s.YOffset(b.Min.X, y)
			co := s.COffset(b.Min.X, y)
			yr, cbr, crr := s.Y[yo:yo+w], s.Cb[co:co+w], s.Cr[co:co+w]
			for i := range w {
				ycc(dst[3*i:3*i+3:3*i+3], yr[i], cbr[i], crr[i])
			}
		}
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422:
		v2 := s.SubsampleRatio == image.YCbCrSubsampleRatio420
		cx0, cx1 := b.Min.X/2, (b.Max.X-1)/2 // chroma columns present
		cw := cx1 - cx0 + 1
		cy0, cy1 := b.Min.Y/2, (b.Max.Y-1)/2
		cb := make([]int32, cw) // vertically filtered chroma (×4 for 4:2:0)
		cr := make([]int32, cw)
		u := make([]uint8, 2*cw) // upsampled chroma, from column 2*cx0
		v := make([]uint8, 2*cw)
		skip := b.Min.X - 2*cx0 // 1 when the image starts on an odd column
		return func(dst []uint8, y int) {
			if v2 {
				near := y / 2
				far := near + 1
				if y%2 == 0 {
					far = near - 1
				}
				far = min(max(far, cy0), cy1)
				// Cb/Cr index 0 is chroma (cx0, cy0), for NewYCbCr and
				// SubImage alike.
				n := s.Cb[(near-cy0)*s.CStride:][:cw]
				f := s.Cb[(far-cy0)*s.CStride:][:cw]
				for i := range cw {
					cb[i] = 3*int32(n[i]) + int32(f[i])
				}
				n = s.Cr[(near-cy0)*s.CStride:][:cw]
				f = s.Cr[(far-cy0)*s.CStride:][:cw]
				for i := range cw {
					cr[i] = 3*int32(n[i]) + int32(f[i])
				}
				fancy(u, cb, 8, 7, 4)
				fancy(v, cr, 8, 7, 4)
			} else {
				o := (y - b.Min.Y) * s.CStride
				for i, c := range s.Cb[o : o+cw] {
					cb[i] = int32(c)
				}
				for i, c := range s.Cr[o : o+cw] {
					cr[i] = int32(c)
				}
				fancy(u, cb, 1, 2, 2)
				fancy(v, cr, 1, 2, 2)
			}
			yo := s.YOffset(b.Min.X, y)
			convertRow(dst[:3*w], s.Y[yo:yo+w], u[skip:skip+w], v[skip:skip+w])
		}
	}
	return func(dst []uint8, y int) {
		yo := s.YOffset(b.Min.X, y)
		yr := s.Y[yo : yo+w]
		for i := range w {
			co := s.COffset(b.Min.X+i, y)
			ycc(dst[3*i:3*i+3:3*i+3], yr[i], s.Cb[co], s.Cr[co])
		}
	}
}

// fancy upsamples one row of chroma sums 2× horizontally with libjpeg's
// triangle filter: out[2i] = (3c[i] + c[i-1] + even) >> shift,
// out[2i+1] = (3c[i] + c[i+1] + odd) >> shift, edges replicated.
func fancy(out []uint8, c []int32, even, odd int32, shift uint) {
	n := len(c)
	out = out[:2*n]
	for i, m := range c {
		l, r := m, m
		if i > 0 {
			l = c[i-1]
		}
		if i+1 < n {
			r = c[i+1]
		}
		o := out[2*i : 2*i+2 : 2*i+2]
		o[0] = uint8((3*m + l + even) >> shift)
		o[1] = uint8((3*m + r + odd) >> shift)
	}
}

// convertRow converts one row of luma and full-resolution chroma to RGB.
func convertRow(dst, ys, cbs, crs []uint8) {
	cbs = cbs[:len(ys)]
	crs = crs[:len(ys)]
	dst = dst[:3*len(ys)]
	for i, y := range ys {
		yy := int32(y)
		cb, cr := cbs[i], crs[i]
		d := dst[3*i : 3*i+3 : 3*i+3]
		d[0] = clampByte(yy + crR[cr])
		d[1] = clampByte(yy + (cbG[cb]+crG[cr])>>16)
		d[2] = clampByte(yy + cbB[cb])
	}
}
