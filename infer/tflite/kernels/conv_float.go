package kernels

// PackConvFloat32 packs a float32 OHWI filter [outC, KH, KW, InC] (or FC
// weights [outC, inDepth], k = inDepth) and its bias (nil = zeros) for
// ConvFloat32Packed / FullyConnectedFloat32Packed: blocks of floatNR
// channels, tap-major, so the inner loop reads floatNR weights per tap.
func PackConvFloat32(outC, k int, filter, bias []float32) *PackedFilter {
	pf := &PackedFilter{}
	packFloat(pf, outC, k, filter, bias)
	return pf
}

func packFloat(pf *PackedFilter, outC, k int, filter, bias []float32) {
	pf.path = Active()
	if pf.path.x86() { // neon and dotprod keep the generic packing (float_neon.go)
		packFloatSIMD(pf, outC, k, filter, bias)
		return
	}
	pf.mr, pf.nr = 0, 0
	nb := (outC + floatNR - 1) / floatNR
	pf.k, pf.outC = k, outC
	pf.wf = grow(pf.wf, nb*k)
	pf.biasF = grow(pf.biasF, nb*floatNR)
	for b := range nb {
		for t := range k {
			var ws [floatNR]float32
			for c := range min(floatNR, outC-b*floatNR) {
				ws[c] = filter[(b*floatNR+c)*k+t]
			}
			pf.wf[b*k+t] = ws
		}
	}
	for c := range pf.biasF {
		pf.biasF[c] = 0
		if bias != nil && c < outC {
			pf.biasF[c] = bias[c]
		}
	}
}

// dotF8 returns Σ_k a[k]·b[k][i] for the floatNR channels of one block.
// Each product is rounded to float32 before it is added: the explicit
// conversion stops the compiler fusing multiply-adds (it does on arm64), so
// every architecture computes the bits of TFLite's non-FMA kernels.
//
//go:noinline
func dotF8(a []float32, b [][floatNR]float32, acc *[floatNR]float32) {
	b = b[:len(a)]
	c0, c1, c2, c3, c4, c5, c6, c7 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]
	for k, x := range a {
		w := &b[k]
		c0 += float32(x * w[0])
		c1 += float32(x * w[1])
		c2 += float32(x * w[2])
		c3 += float32(x * w[3])
		c4 += float32(x * w[4])
		c5 += float32(x * w[5])
		c6 += float32(x * w[6])
		c7 += float32(x * w[7])
	}
	*acc = [floatNR]float32{c0, c1, c2, c3, c4, c5, c6, c7}
}

// im2colRowFloat writes the taps of output pixel pix to dst, zeros for
// taps outside the image.
func im2colRowFloat(p *ConvParams, in []float32, pix int, dst []float32) {
	ox := pix % p.OutW
	t := pix / p.OutW
	oy, b := t%p.OutH, t/p.OutH
	d := 0
	for ky := 0; ky < p.KH; ky++ {
		iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
		for kx := 0; kx < p.KW; kx++ {
			ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
			o := dst[d : d+p.InC]
			d += p.InC
			if iy < 0 || iy >= p.InH || ix < 0 || ix >= p.InW {
				clear(o)
				continue
			}
			copy(o, in[((b*p.InH+iy)*p.InW+ix)*p.InC:][:len(o)])
		}
	}
}

// prepareConvFloat sets up j to run a float CONV_2D (or FC) with pf and
// returns the number of work units.
func prepareConvFloat(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	switch {
	case pf.path.x86():
		return prepareConvFloatSIMD(j, p, pf, workers)
	case pf.path.arm64():
		return prepareConvFloatNEON(j, p, pf, workers)
	}
	return prepareConvFloat0(j, p, pf, workers)
}

// prepareConvFloat0 sets up j for the generic float code (the arm64
// paths share its packing and work units).
func prepareConvFloat0(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	j.fn, j.p, j.pf = convFloatFast, p, pf
	k := p.KH * p.KW * p.InC
	j.direct = convDirect(p)
	if !j.direct {
		j.panelLen = convMP * k
		j.panelsF = j.s.float32Panels(workers, j.panelLen)
	}
	groups := (convPixels(p) + convMP - 1) / convMP
	nb := (pf.outC + floatNR - 1) / floatNR
	j.split = 1
	if groups < 2*workers {
		j.split = max(1, min(workers, nb))
	}
	return groups * j.split
}

// convFloatFast computes work units [lo, hi) of a float CONV_2D.
func convFloatFast(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k := pf.k
	pixels := convPixels(p)
	var panel []float32
	if !j.direct {
		panel = j.panelsF[w*j.panelLen:][:j.panelLen]
	}
	var rows [convMP][]float32
	nb := (pf.outC + floatNR - 1) / floatNR
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		for i := range np {
			if j.direct {
				rows[i] = j.inF[directOffset(p, p0+i):][:k]
			} else {
				rows[i] = panel[i*k:][:k]
				im2colRowFloat(p, j.inF, p0+i, rows[i])
			}
		}
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch := b * floatNR
			n := min(floatNR, pf.outC-ch)
			wb := pf.wf[b*k:][:k]
			for i := range np {
				var acc [floatNR]float32
				dotF8(rows[i], wb, &acc)
				o := j.outF[(p0+i)*pf.outC+ch:][:n]
				bias := pf.biasF[ch:][:n]
				for c := range o {
					o[c] = min(max(acc[c]+bias[c], j.actMin), j.actMax)
				}
			}
		}
	}
}
