package kernels

import "math"

// dwFloatSIMD reports whether a float DEPTHWISE_CONV_2D with p runs the
// AVX2 3x3 kernel (the vnni path uses it too) or the NEON one on the
// active path: 3x3 taps, depth multiplier 1, a multiple of 8 channels.
func dwFloatSIMD(p *ConvParams) bool {
	return (Active().x86() || Active().arm64()) && p.KH == 3 && p.KW == 3 && p.DepthMultiplier == 1 && p.OutC%8 == 0 && p.OutC > 0
}

// dwInterior returns the output columns [lo, hi) whose three taps lie
// inside the input's width.
func dwInterior(p *ConvParams) (lo, hi int) {
	lo = (p.PadLeft + p.StrideW - 1) / p.StrideW
	// ox·StrideW − PadLeft + 2·DilationW ≤ InW − 1
	if num := p.InW - 1 + p.PadLeft - 2*p.DilationW; num >= 0 {
		hi = num/p.StrideW + 1
	}
	hi = min(hi, p.OutW)
	return lo, max(lo, hi)
}

// depthwiseFloatSIMD is depthwiseFloatFast with the interior pixels of
// each output row (all nine taps inside the image) computed by
// dw3x3F32AVX2 (dw3x3F32NEON on arm64); border pixels run dwTapsF32AVX2
// (dwTapsF32NEON) on the list of their taps inside the image, in the same
// order. See float_simd.go (float_neon.go on arm64) for the clamp.
func depthwiseFloatSIMD(j *kernelJob, w, lo, hi int) {
	p := j.p
	arm := Active().arm64()
	c := p.OutC
	bias := j.biasF
	if bias == nil {
		bias = j.panelsF[w*c:][:c]
		clear(bias) // +0, where depthwiseFloatFast starts without a bias
	}
	bias = bias[:c]
	fused := fusedClamp(j.actMin, j.actMax)
	for _, b := range bias {
		if b == 0 && math.Signbit(float64(b)) {
			fused = false // a sum may be −0
		}
	}
	if arm {
		fused = neonClamp(j.actMin, j.actMax) // FMAX/FMIN order ±0 as Go does
	}
	clamp := [2]float32{j.actMin, j.actMax}
	if !fused {
		clamp = [2]float32{negInf, posInf}
	}
	oxLo, oxHi := dwInterior(p)
	filter := j.filterF[:9*c]
	dx := p.DilationW * c
	dy := p.DilationH * p.InW * c
	sx := p.StrideW * c
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		iy0 := oy*p.StrideH - p.PadTop
		outRow := j.outF[(b*p.OutH+oy)*p.OutW*c:][:p.OutW*c]
		simd := iy0 >= 0 && iy0+2*p.DilationH < p.InH && oxHi > oxLo
		for ox := 0; ox < p.OutW; ox++ {
			if simd && ox == oxLo {
				n := oxHi - oxLo
				base := ((b*p.InH+iy0)*p.InW + oxLo*p.StrideW - p.PadLeft) * c
				in := j.inF[base:][:(n-1)*sx+2*dy+2*dx+c]
				o := outRow[oxLo*c:][:n*c]
				dw3x3F32(arm, &in[0], &filter[0], &bias[0], &o[0], c/8, uintptr(4*dy), uintptr(4*dx), uintptr(4*sx), n, &clamp[0])
				if !fused {
					clampFloats(o, j.actMin, j.actMax)
				}
				ox = oxHi - 1
				continue
			}
			o := outRow[ox*c:][:c]
			dwFloatTaps(j, arm, bias, b, oy, ox, o, &clamp)
			if !fused {
				clampFloats(o, j.actMin, j.actMax)
			}
		}
	}
}

// dwFloatTaps computes output pixel (b, oy, ox) of a float depthwise
// 3x3 with depth multiplier 1 into o with dwTapsF32AVX2 (dwTapsF32NEON
// when arm is set): the sum starts at the bias and adds the taps inside
// the image in row-major order, as depthwiseFloatFast does.
func dwFloatTaps(j *kernelJob, arm bool, bias []float32, b, oy, ox int, o []float32, clamp *[2]float32) {
	p := j.p
	c := len(o)
	iy0 := oy*p.StrideH - p.PadTop
	ix0 := ox*p.StrideW - p.PadLeft
	var xs, ws [9]*float32
	n := 0
	for ky := range 3 {
		iy := iy0 + ky*p.DilationH
		if iy < 0 || iy >= p.InH {
			continue
		}
		for kx := range 3 {
			ix := ix0 + kx*p.DilationW
			if ix < 0 || ix >= p.InW {
				continue
			}
			xs[n] = &j.inF[((b*p.InH+iy)*p.InW+ix)*c:][:c][0]
			ws[n] = &j.filterF[(ky*3+kx)*c:][:c][0]
			n++
		}
	}
	dwTapsF32(arm, &xs[0], &ws[0], n, &bias[0], &o[0], c/8, &clamp[0])
}
