package kernels

// depthwiseRefQuant is the plain DEPTHWISE_CONV_2D over 8-bit elements,
// exactly TFLite's reference arithmetic, over output rows [lo, hi) of the
// N·OutH rows.
func depthwiseRefQuant[T quantElem](p *ConvParams, in, filter []T, bias []int32, out []T, q *QuantParams, lo, hi int) {
	dm := p.DepthMultiplier
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		for ox := 0; ox < p.OutW; ox++ {
			o := out[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for oc := range o {
				ic := oc / dm
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
						x := int32(in[((b*p.InH+iy)*p.InW+ix)*p.InC+ic])
						w := int32(filter[(ky*p.KW+kx)*p.OutC+oc])
						acc += (x + q.InputOffset) * (w + q.FilterOffset)
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

// depthwiseRefFloat32 is the plain float DEPTHWISE_CONV_2D over output
// rows [lo, hi).
func depthwiseRefFloat32(p *ConvParams, in, filter, bias, out []float32, actMin, actMax float32, lo, hi int) {
	dm := p.DepthMultiplier
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		for ox := 0; ox < p.OutW; ox++ {
			o := out[((b*p.OutH+oy)*p.OutW+ox)*p.OutC:][:p.OutC]
			for oc := range o {
				ic := oc / dm
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
						acc += float32(in[((b*p.InH+iy)*p.InW+ix)*p.InC+ic] * filter[(ky*p.KW+kx)*p.OutC+oc])
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
