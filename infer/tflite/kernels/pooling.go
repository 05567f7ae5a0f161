package kernels

// PoolParams describe AVERAGE_POOL_2D and MAX_POOL_2D over an NHWC input
// [N, InH, InW, C] giving [N, OutH, OutW, C]. Windows are clipped to the
// input: padded positions are not counted.
type PoolParams struct {
	N, InH, InW, C   int
	OutH, OutW       int
	KH, KW           int
	StrideH, StrideW int
	PadTop, PadLeft  int
}

func (p *PoolParams) window(oy, ox int) (y0, y1, x0, x1 int) {
	iy := oy*p.StrideH - p.PadTop
	ix := ox*p.StrideW - p.PadLeft
	y0, y1 = max(0, iy), min(p.InH, iy+p.KH)
	x0, x1 = max(0, ix), min(p.InW, ix+p.KW)
	return
}

// AvgPoolQuant computes 8-bit average pooling as TFLite's built-in kernels
// do: an int32 sum over the clipped window divided by its element count,
// rounding half away from zero, then clamped to [actMin, actMax]. acc is
// scratch of at least C int32s.
func AvgPoolQuant[T quantInt](p *PoolParams, in, out []T, actMin, actMax int32, acc []int32) {
	acc = acc[:p.C]
	for b := 0; b < p.N; b++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				clear(acc)
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						row := in[((b*p.InH+y)*p.InW+x)*p.C:][:p.C]
						for c, v := range row {
							acc[c] += int32(v)
						}
					}
				}
				n := int32((y1 - y0) * (x1 - x0))
				o := out[((b*p.OutH+oy)*p.OutW+ox)*p.C:][:p.C]
				if n == 0 {
					for c := range o {
						o[c] = T(min(max(0, actMin), actMax))
					}
					continue
				}
				for c, s := range acc {
					var a int32
					if s > 0 {
						a = (s + n/2) / n
					} else {
						a = (s - n/2) / n
					}
					o[c] = T(min(max(a, actMin), actMax))
				}
			}
		}
	}
}

// AvgPoolFloat32 computes float average pooling with a clamp. acc is
// scratch of at least C float32s.
func AvgPoolFloat32(p *PoolParams, in, out []float32, actMin, actMax float32, acc []float32) {
	acc = acc[:p.C]
	for b := 0; b < p.N; b++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				clear(acc)
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						row := in[((b*p.InH+y)*p.InW+x)*p.C:][:p.C]
						for c, v := range row {
							acc[c] += v
						}
					}
				}
				n := float32((y1 - y0) * (x1 - x0))
				o := out[((b*p.OutH+oy)*p.OutW+ox)*p.C:][:p.C]
				for c, s := range acc {
					v := float32(0)
					if n > 0 {
						v = s / n
					}
					o[c] = min(max(v, actMin), actMax)
				}
			}
		}
	}
}

// MaxPoolQuant computes 8-bit max pooling clamped to [actMin, actMax].
func MaxPoolQuant[T quantInt](p *PoolParams, in, out []T, actMin, actMax int32) {
	lo, _ := Limits[T]()
	for b := 0; b < p.N; b++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				o := out[((b*p.OutH+oy)*p.OutW+ox)*p.C:][:p.C]
				for c := range o {
					o[c] = T(lo)
				}
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						row := in[((b*p.InH+y)*p.InW+x)*p.C:][:p.C]
						for c, v := range row {
							o[c] = max(o[c], v)
						}
					}
				}
				for c, v := range o {
					o[c] = T(min(max(int32(v), actMin), actMax))
				}
			}
		}
	}
}

// MaxPoolFloat32 computes float max pooling clamped to [actMin, actMax].
func MaxPoolFloat32(p *PoolParams, in, out []float32, actMin, actMax float32) {
	for b := 0; b < p.N; b++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				o := out[((b*p.OutH+oy)*p.OutW+ox)*p.C:][:p.C]
				for c := range o {
					o[c] = -maxFloat32
				}
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						row := in[((b*p.InH+y)*p.InW+x)*p.C:][:p.C]
						for c, v := range row {
							o[c] = max(o[c], v)
						}
					}
				}
				for c, v := range o {
					o[c] = min(max(v, actMin), actMax)
				}
			}
		}
	}
}

const maxFloat32 = 3.40282346638528859811704183484516925440e+38
