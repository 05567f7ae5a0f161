package kernels

// depthwiseFloatFast computes output rows [lo, hi) of a float
// DEPTHWISE_CONV_2D with depth multiplier 1 as worker w: per pixel, the
// channels are summed tap by tap into the worker's accumulator row (three
// taps per pass for 3-wide filters), then clamped.
func depthwiseFloatFast(j *kernelJob, w, lo, hi int) {
	p := j.p
	c := p.OutC
	acc := j.panelsF[w*c:][:c]
	in, filter := j.inF, j.filterF
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		iy0 := oy*p.StrideH - p.PadTop
		for ox := 0; ox < p.OutW; ox++ {
			ix0 := ox*p.StrideW - p.PadLeft
			if j.biasF != nil {
				copy(acc, j.biasF[:c])
			} else {
				clear(acc)
			}
			for ky := 0; ky < p.KH; ky++ {
				iy := iy0 + ky*p.DilationH
				if iy < 0 || iy >= p.InH {
					continue
				}
				row := (b*p.InH + iy) * p.InW
				kx := 0
				if p.KW == 3 && ix0 >= 0 && ix0+2*p.DilationW < p.InW {
					base := (row + ix0) * c
					dx := p.DilationW * c
					x0, x1, x2 := in[base:][:c], in[base+dx:][:c], in[base+2*dx:][:c]
					wr := ky * 3 * c
					w0, w1, w2 := filter[wr:][:c], filter[wr+c:][:c], filter[wr+2*c:][:c]
					for i := range acc {
						// Left to right, one tap at a time, as TFLite's
						// optimized kernel sums (bias first, then the taps in
						// row-major order).
						acc[i] = acc[i] + float32(x0[i]*w0[i]) + float32(x1[i]*w1[i]) + float32(x2[i]*w2[i])
					}
					kx = 3
				}
				for ; kx < p.KW; kx++ {
					ix := ix0 + kx*p.DilationW
					if ix < 0 || ix >= p.InW {
						continue
					}
					x := in[(row+ix)*c:][:c]
					wt := filter[(ky*p.KW+kx)*c:][:c]
					for i := range acc {
						acc[i] += float32(x[i] * wt[i])
					}
				}
			}
			o := j.outF[((b*p.OutH+oy)*p.OutW+ox)*c:][:c]
			for i, v := range acc {
				o[i] = min(max(v, j.actMin), j.actMax)
			}
		}
	}
}
