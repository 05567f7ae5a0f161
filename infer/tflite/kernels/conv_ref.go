package kernels

// convRefQuant is the plain CONV_2D over 8-bit elements, one output at a
// time, exactly TFLite's reference arithmetic. The fast paths fall back to
// it when their preconditions do not hold. It computes output rows
// [lo, hi) of the N·OutH rows.
func convRefQuant[T quantElem](p *ConvParams, in, filter []T, bias []int32, out []T, q *QuantParams, lo, hi int) {
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		for ox := 0; ox < p.OutW; ox++ {
			o := out[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for oc := range o {
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
						x := in[((b*p.InH+iy)*p.InW+ix)*p.InC:][:p.InC]
						w := filter[((oc*p.KH+ky)*p.KW+kx)*p.InC:][:p.InC]
						for ic, xv := range x {
							acc += (int32(xv) + q.InputOffset) * (int32(w[ic]) + q.FilterOffset)
						}
					}
				}
				if bias != nil {
					acc += bias[oc]
				}
				o[oc] = T(q.requant(acc, oc))
			}
		}
	}
}

// convRefFloat32 is the plain float CONV_2D over output rows [lo, hi).
func convRefFloat32(p *ConvParams, in, filter, bias, out []float32, actMin, actMax float32, lo, hi int) {
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		for ox := 0; ox < p.OutW; ox++ {
			o := out[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for oc := range o {
				var acc float32
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
						x := in[((b*p.InH+iy)*p.InW+ix)*p.InC:][:p.InC]
						w := filter[((oc*p.KH+ky)*p.KW+kx)*p.InC:][:p.InC]
						for ic, xv := range x {
							acc += float32(xv * w[ic])
						}
					}
				}
				if bias != nil {
					acc += bias[oc]
				}
				o[oc] = min(max(acc, actMin), actMax)
			}
		}
	}
}
