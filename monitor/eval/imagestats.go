package eval

import (
	"image"
	"image/color"
	"math"
)

// ImageStats are the picture properties evaluation slices by.
type ImageStats struct {
	// MeanLuma is the mean BT.601 luma, 0..255.
	MeanLuma float64 `json:"mean_luma"`
	// Contrast is the RMS contrast: the standard deviation of luma, 0..127.5.
	Contrast float64 `json:"contrast"`
	// Sharpness is the variance of the 4-neighbour Laplacian of luma over
	// the interior pixels; low values mean a blurred or flat picture.
	Sharpness float64 `json:"sharpness"`
}

// ComputeImageStats measures img at its own resolution. An image smaller
// than 3×3 has sharpness 0.
func ComputeImageStats(img image.Image) ImageStats {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return ImageStats{}
	}
	luma := lumaPlane(img)
	var sum, sq float64
	for _, y := range luma {
		v := float64(y)
		sum += v
		sq += v * v
	}
	n := float64(len(luma))
	mean := sum / n
	st := ImageStats{MeanLuma: mean, Contrast: math.Sqrt(max(0, sq/n-mean*mean))}
	if w < 3 || h < 3 {
		return st
	}
	var lsum, lsq float64
	for y := 1; y < h-1; y++ {
		row := y * w
		for x := 1; x < w-1; x++ {
			i := row + x
			l := float64(luma[i-w]) + float64(luma[i+w]) + float64(luma[i-1]) + float64(luma[i+1]) - 4*float64(luma[i])
			lsum += l
			lsq += l * l
		}
	}
	m := float64((w - 2) * (h - 2))
	lmean := lsum / m
	st.Sharpness = max(0, lsq/m-lmean*lmean)
	return st
}

// lumaPlane returns the image's luma, row-major. JPEG images (YCbCr) give
// their Y plane as it is; others are converted with the BT.601 weights.
func lumaPlane(img image.Image) []uint8 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]uint8, w*h)
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(out[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(out[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				out[y*w+x] = luma601(row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
				out[y*w+x] = luma601(c.R, c.G, c.B)
			}
		}
	}
	return out
}

// luma601 is BT.601 luma in 16-bit fixed point, as image/color's YCbCr
// conversion computes it.
func luma601(r, g, b uint8) uint8 {
	return uint8((19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16)
}
