package kernels

import "math"

// SymmetricQuantizeFloats is TFLite's SymmetricQuantizeFloats (used by
// hybrid kernels): codes round(v·127/r), r = max |v|, clamped to ±127; the
// scale is r/127 (1 for an all-zero vector, whose codes are 0).
func SymmetricQuantizeFloats(v []float32, q []int32) (scale float32) {
	var lo, hi float32
	for i, x := range v {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	r := max(float32(math.Abs(float64(lo))), float32(math.Abs(float64(hi))))
	if r == 0 {
		clear(q[:len(v)])
		return 1
	}
	inv := 127 / r
	for i, x := range v {
		c := int32(math.Round(float64(x * inv)))
		q[i] = min(max(c, -127), 127)
	}
	return r / 127
}

// AsymmetricQuantizeFloats is TFLite's AsymmetricQuantizeFloats: the range
// [min(0, lo), max(0, hi)] mapped onto [−128, 127] in double precision, the
// zero point nudged to an integer, codes round(zp + v/scale) in float32.
func AsymmetricQuantizeFloats(v []float32, q []int32) (scale float32, zp int32) {
	var lo, hi float32
	for i, x := range v {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	rmin, rmax := float64(min(0, lo)), float64(max(0, hi))
	if rmin == rmax {
		clear(q[:len(v)])
		return 1, 0
	}
	const qmin, qmax = -128.0, 127.0
	s := (rmax - rmin) / (qmax - qmin)
	zpMin, zpMax := qmin-rmin/s, qmax-rmax/s
	errMin := math.Abs(qmin) + math.Abs(rmin/s)
	errMax := math.Abs(qmax) + math.Abs(rmax/s)
	zpd := zpMax
	if errMin < errMax {
		zpd = zpMin
	}
	switch {
	case zpd <= qmin:
		zp = -128
	case zpd >= qmax:
		zp = 127
	default:
		zp = int32(math.Round(zpd))
	}
	scale = float32(s)
	inv := 1 / scale
	for i, x := range v {
		c := int32(math.Round(float64(float32(zp) + float32(x*inv))))
		q[i] = min(max(c, -128), 127)
	}
	return scale, zp
}

// HybridRows computes out[r][u] = bias[u] + (Σ_k (q[r][k] − zp[r])·w[u][k])
// · scale[r]·wScale[u] for rows of a float matrix quantized per row, as
// TFLite's hybrid FULLY_CONNECTED does (int32 dot products, float
// rescaling), then clamps to [lo, hi]. wScale has one value (per tensor)
// or one per unit.
func HybridRows(q []int32, scales []float32, zps []int32, rows, depth int, w []int8, units int, wScale, bias []float32, out []float32, lo, hi float32) {
	for r := 0; r < rows; r++ {
		row := q[r*depth : (r+1)*depth]
		for u := 0; u < units; u++ {
			wr := w[u*depth : (u+1)*depth]
			var dot, wsum int32
			for k, x := range row {
				dot += x * int32(wr[k])
				wsum += int32(wr[k])
			}
			dot -= wsum * zps[r]
			var s float32
			if len(wScale) == 1 {
				s = scales[r] * wScale[0]
			} else {
				s = scales[r] * wScale[u]
			}
			v := float32(float32(dot) * s)
			if bias != nil {
				v = bias[u] + v
			}
			out[r*units+u] = min(max(v, lo), hi)
		}
	}
}

// HybridConv computes CONV_2D or DEPTHWISE_CONV_2D with float input
// quantized per batch image (q, scales, zps) and int8 weights: int32
// accumulation of (q − zp)·w over the taps inside the image, then
// ·scale·wScale[c] + bias, clamped.
func HybridConv(p *ConvParams, depthwise bool, q []int32, scales []float32, zps []int32, w []int8, wScale, bias []float32, out []float32, lo, hi float32) {
	o := 0
	for b := 0; b < p.N; b++ {
		img := q[b*p.InH*p.InW*p.InC:]
		zp := zps[b]
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				for c := 0; c < p.OutC; c++ {
					var acc int32
					for ky := 0; ky < p.KH; ky++ {
						iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
						if iy < 0 || iy >= p.InH {
							continue
						}
						for kx := 0; kx < p.KW; kx++ {
							ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
							if ix < 0 || ix >= p.InW {
								continue
							}
							px := img[(iy*p.InW+ix)*p.InC:]
							if depthwise {
								ic := c / p.DepthMultiplier
								acc += (px[ic] - zp) * int32(w[(ky*p.KW+kx)*p.OutC+c])
								continue
							}
							wr := w[((c*p.KH+ky)*p.KW+kx)*p.InC:]
							for ic := 0; ic < p.InC; ic++ {
								acc += (px[ic] - zp) * int32(wr[ic])
							}
						}
					}
					ws := wScale[0]
					if len(wScale) > 1 {
						ws = wScale[c]
					}
					v := float32(float32(acc) * float32(scales[b]*ws))
					if bias != nil {
						v += bias[c]
					}
					out[o] = min(max(v, lo), hi)
					o++
				}
			}
		}
	}
}
