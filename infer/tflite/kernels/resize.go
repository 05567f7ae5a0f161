package kernels

import "math"

// ResizeParams describe RESIZE_BILINEAR of an NHWC tensor.
type ResizeParams struct {
	N, H, W, C   int
	OH, OW       int
	AlignCorners bool
	HalfPixel    bool
}

// floatScale is TFLite's float32 scale in/out (or (in−1)/(out−1) with
// align_corners).
func floatScale(in, out int, align bool) float32 {
	if align && out > 1 {
		return float32(in-1) / float32(out-1)
	}
	return float32(in) / float32(out)
}

// interp is TFLite's ComputeInterpolationValues (float32).
func interp(v int, scale float32, half bool, size int) (float32, int, int) {
	var x float32
	if half {
		x = float32(float32(float32(v)+0.5)*scale) - 0.5
	} else {
		x = float32(v) * scale
	}
	fl := float32(math.Floor(float64(x)))
	lo := max(int(fl), 0)
	hi := min(int(float32(math.Ceil(float64(x)))), size-1)
	return x, lo, hi
}

// ResizeBilinearFloat32 is TFLite's optimized float kernel: an exact 2×
// upsample averages neighbours; otherwise each output accumulates its four
// weighted corners.
func ResizeBilinearFloat32(p *ResizeParams, in, out []float32) {
	c := p.C
	idx := func(b, y, x int) int { return ((b*p.H+y)*p.W + x) * c }
	if !p.AlignCorners && !p.HalfPixel && p.OH == 2*p.H && p.OW == 2*p.W {
		oidx := func(b, y, x int) int { return ((b*p.OH+y)*p.OW + x) * c }
		for b := 0; b < p.N; b++ {
			for y0 := 0; y0 < p.H; y0++ {
				for x0 := 0; x0 < p.W; x0++ {
					x1, y1 := min(x0+1, p.W-1), min(y0+1, p.H-1)
					for ch := 0; ch < c; ch++ {
						a := in[idx(b, y0, x0)+ch]
						bx := in[idx(b, y0, x1)+ch]
						cy := in[idx(b, y1, x0)+ch]
						d := in[idx(b, y1, x1)+ch]
						o := oidx(b, 2*y0, 2*x0) + ch
						out[o] = a
						out[o+c] = (a + bx) / 2
						bl := (a + cy) / 2
						out[o+p.OW*c] = bl
						out[o+p.OW*c+c] = (bl + (bx+d)/2) / 2
					}
				}
			}
		}
		return
	}
	hs, ws := floatScale(p.H, p.OH, p.AlignCorners), floatScale(p.W, p.OW, p.AlignCorners)
	o := 0
	for b := 0; b < p.N; b++ {
		for y := 0; y < p.OH; y++ {
			iy, y0, y1 := interp(y, hs, p.HalfPixel, p.H)
			dy := iy - float32(y0)
			for x := 0; x < p.OW; x++ {
				ix, x0, x1 := interp(x, ws, p.HalfPixel, p.W)
				dx := ix - float32(x0)
				corners := [4]int{idx(b, y0, x0), idx(b, y0, x1), idx(b, y1, x0), idx(b, y1, x1)}
				scales := [4]float32{float32(1-dy) * float32(1-dx), float32(1-dy) * dx, dy * float32(1-dx), dy * dx}
				dst := out[o : o+c]
				clear(dst)
				for k, base := range corners {
					s := scales[k]
					for ch := range dst {
						dst[ch] += float32(in[base+ch] * s)
					}
				}
				o += c
			}
		}
	}
}

// ResizeBilinearUint8 is TFLite's optimized uint8 kernel
// (ResizeBilinearGenericSmallChannel): float32 weights, the four products
// summed left to right plus 0.5, truncated.
func ResizeBilinearUint8(p *ResizeParams, in, out []uint8) {
	c := p.C
	idx := func(b, y, x int) int { return ((b*p.H+y)*p.W + x) * c }
	hs, ws := floatScale(p.H, p.OH, p.AlignCorners), floatScale(p.W, p.OW, p.AlignCorners)
	o := 0
	for b := 0; b < p.N; b++ {
		for y := 0; y < p.OH; y++ {
			iy, y0, y1 := interp(y, hs, p.HalfPixel, p.H)
			dy := iy - float32(y0)
			for x := 0; x < p.OW; x++ {
				ix, x0, x1 := interp(x, ws, p.HalfPixel, p.W)
				dx := ix - float32(x0)
				i0, i1, i2, i3 := idx(b, y0, x0), idx(b, y0, x1), idx(b, y1, x0), idx(b, y1, x1)
				s0, s1 := float32(1-dy)*float32(1-dx), float32(1-dy)*dx
				s2, s3 := dy*float32(1-dx), dy*dx
				for ch := 0; ch < c; ch++ {
					v := float32(float32(in[i0+ch]) * s0)
					v += float32(float32(in[i1+ch]) * s1)
					v += float32(float32(in[i2+ch]) * s2)
					v += float32(float32(in[i3+ch]) * s3)
					v += 0.5
					out[o+ch] = uint8(int32(v))
				}
				o += c
			}
		}
	}
}

// interpInt is TFLite's ComputeInterpolationValuesInteger (10 fractional
// bits; C++ division truncates toward zero, as Go's does).
func interpInt(v, scale10 int32, half bool, size int32) (int32, int32, int32) {
	var x int32
	if half {
		x = v*scale10 + scale10/2 - 1<<9
	} else {
		x = v * scale10
	}
	return x, max(x/(1<<10), 0), min((x+1<<10-1)/(1<<10), size-1)
}

func scale10(in, out int, align bool) int32 {
	if align && out > 1 {
		return int32(((1<<10)*(in-1) + (out-1)/2) / (out - 1))
	}
	return int32(((1<<10)*in + out/2) / out)
}

// ResizeBilinearInteger is TFLite's integer kernel (int8, and the
// reference for int16): weights with 10 fractional bits, the sum rounded
// half away from zero.
func ResizeBilinearInteger[T ~int8 | ~int16](p *ResizeParams, in, out []T) {
	c := p.C
	idx := func(b, y, x int32) int { return ((int(b)*p.H+int(y))*p.W + int(x)) * c }
	hs, ws := scale10(p.H, p.OH, p.AlignCorners), scale10(p.W, p.OW, p.AlignCorners)
	o := 0
	for b := int32(0); b < int32(p.N); b++ {
		for y := int32(0); y < int32(p.OH); y++ {
			iy, y0, y1 := interpInt(y, hs, p.HalfPixel, int32(p.H))
			wy1 := int64(iy - (1<<10)*y0)
			wy0 := int64(1<<10) - wy1
			for x := int32(0); x < int32(p.OW); x++ {
				ix, x0, x1 := interpInt(x, ws, p.HalfPixel, int32(p.W))
				wx1 := int64(ix - (1<<10)*x0)
				wx0 := int64(1<<10) - wx1
				i0, i1, i2, i3 := idx(b, y0, x0), idx(b, y1, x0), idx(b, y0, x1), idx(b, y1, x1)
				for ch := 0; ch < c; ch++ {
					v := int64(in[i0+ch])*wy0*wx0 + int64(in[i1+ch])*wy1*wx0 +
						int64(in[i2+ch])*wy0*wx1 + int64(in[i3+ch])*wy1*wx1
					r := int64(1 << 19)
					if v <= 0 {
						r = -r
					}
					out[o+ch] = T((v + r) / (1 << 20))
				}
				o += c
			}
		}
	}
}
