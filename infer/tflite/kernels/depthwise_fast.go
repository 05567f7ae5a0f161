package kernels

// PackedDepthwise is a quantized DEPTHWISE_CONV_2D filter prepared for the
// fast kernel: weights widened to int32 with the filter offset added,
// per-channel constants and multipliers. Build it once at prepare time with
// PackDepthwiseInt8 or PackDepthwiseUint8; it is read-only afterwards.
type PackedDepthwise struct {
	fast       bool        // the fast path is exact for these parameters
	w          []int32     // [KH·KW][OutC]: filter + FilterOffset
	cst        []int32     // per channel: bias + InputOffset · Σ_taps w (interior pixels)
	bias       []int32     // per channel bias (zeros if none)
	cq         []chanQuant // per channel multipliers
	io         int32       // input offset
	outOff     int32
	actMin     int32
	actMax     int32
	halfUp     bool
	simd       bool         // SIMD paths: interior 3x3 pixels in assembly (depthwise_simd.go)
	simdBorder bool         // SIMD paths: border pixels too, through a padded patch
	w9         []int32      // SIMD paths: per 8 channels, 9 taps of 8 weights
	w16        []int32      // vnni path, lanes 16: per 16 channels, 9 taps of 16 weights
	neon       bool         // arm64 paths: the SIMD kernels are depthwise_neon.go's
	w9h        []int16      // arm64 paths: per 8 channels, 9 taps of 8 weights
	lanes      int          // SIMD paths: int32 lanes of the requantization vectors (8 or 16)
	padRow     []byte       // SIMD paths: C copies of the input zero point
	rq         []int32      // SIMD paths: requantization groups
	q          *QuantParams // for the reference fallback
	filterI8   []int8
	filterU8   []uint8
	biasIn     []int32
}

// PackDepthwiseInt8 prepares an int8 depthwise filter [1, KH, KW, OutC],
// its bias (nil = zeros) and quantization for DepthwiseInt8Packed.
func PackDepthwiseInt8(p *ConvParams, filter []int8, bias []int32, q *QuantParams) *PackedDepthwise {
	pd := &PackedDepthwise{}
	packDepthwise(pd, p, filter, bias, q)
	pd.filterI8 = filter
	return pd
}

// PackDepthwiseUint8 is PackDepthwiseInt8 for uint8.
func PackDepthwiseUint8(p *ConvParams, filter []uint8, bias []int32, q *QuantParams) *PackedDepthwise {
	pd := &PackedDepthwise{}
	packDepthwise(pd, p, filter, bias, q)
	pd.filterU8 = filter
	return pd
}

func packDepthwise[T quantElem](pd *PackedDepthwise, p *ConvParams, filter []T, bias []int32, q *QuantParams) {
	c, taps := p.OutC, p.KH*p.KW
	pd.q, pd.biasIn, pd.io = q, bias, q.InputOffset
	pd.outOff, pd.actMin, pd.actMax, pd.halfUp = q.OutputOffset, q.ActMin, q.ActMax, q.HalfUp
	pd.fast = p.DepthMultiplier == 1 && q.OutputOffset >= -maxOutOffset && q.OutputOffset <= maxOutOffset
	pd.w = grow(pd.w, taps*c)
	pd.cst = grow(pd.cst, c)
	pd.bias = grow(pd.bias, c)
	pd.cq = grow(pd.cq, c)
	for oc := range c {
		i := 0
		if len(q.Multiplier) > 1 {
			i = oc
		}
		m, s := q.Multiplier[i], q.Shift[i]
		if m < 0 || s > 30 || s < -31 {
			pd.fast = false
		}
		pd.cq[oc] = newChanQuant(m, s)
		pd.bias[oc] = 0
		if bias != nil {
			pd.bias[oc] = bias[oc]
		}
		sum := pd.bias[oc]
		for t := range taps {
			wv := int32(filter[t*c+oc]) + q.FilterOffset
			pd.w[t*c+oc] = wv
			sum += q.InputOffset * wv
		}
		pd.cst[oc] = sum
	}
	packDepthwiseSIMD[T](pd, p)
}

// depthwiseQuantFast computes output rows [lo, hi) as worker w, with the
// worker's int32 accumulator row in j.panels32.
func depthwiseQuantFast[T quantElem](j *kernelJob, in, out []T, w, lo, hi int) {
	p, pd := j.p, j.pd
	c := p.OutC
	acc := j.panels32[w*dwPanel(c):][:c]
	if pd.simd && pd.lanes == 16 && pd.simdBorder {
		panel := j.panels32[w*dwPanel(c):][:c*dwChunk]
		for r := lo; r < hi; r++ {
			depthwiseRow16(p, pd, in, out, panel, r/p.OutH, r%p.OutH)
		}
		return
	}
	for r := lo; r < hi; r++ {
		b, oy := r/p.OutH, r%p.OutH
		iy0 := oy*p.StrideH - p.PadTop
		rowsIn := iy0 >= 0 && iy0+(p.KH-1)*p.DilationH < p.InH
		for ox := 0; ox < p.OutW; ox++ {
			ix0 := ox*p.StrideW - p.PadLeft
			interior := rowsIn && ix0 >= 0 && ix0+(p.KW-1)*p.DilationW < p.InW
			if interior && pd.simd {
				// The run of interior pixels starting here.
				ox1 := ox + 1
				for ox1 < p.OutW && ox1*p.StrideW-p.PadLeft+(p.KW-1)*p.DilationW < p.InW {
					ox1++
				}
				depthwiseInteriorSIMD(p, pd, in, out, j.panels32[w*dwPanel(c):][:c*dwChunk], b, oy, ox, ox1)
				ox = ox1 - 1
				continue
			}
			if pd.simdBorder {
				depthwiseBorderSIMD(p, pd, in, out, j.panels32[w*dwPanel(c):][:dwPanel(c)], b, oy, ox)
				continue
			}
			if interior {
				copy(acc, pd.cst[:c])
				if p.KW == 3 {
					depthwiseInterior3(p, in, pd.w, acc, b, iy0, ix0)
				} else {
					depthwiseInterior(p, in, pd.w, acc, b, iy0, ix0)
				}
			} else {
				copy(acc, pd.bias[:c])
				depthwiseBorder(p, in, pd, acc, b, iy0, ix0)
			}
			o := out[((b*p.OutH+oy)*p.OutW+ox)*c:][:c]
			storeDepthwise(pd, acc, o)
		}
	}
}

// depthwiseInterior adds Σ_taps x·w to acc for an output pixel whose taps
// all fall inside the image (the input offset is in the constant).
func depthwiseInterior[T quantElem](p *ConvParams, in []T, w, acc []int32, b, iy0, ix0 int) {
	c := len(acc)
	for ky := 0; ky < p.KH; ky++ {
		row := (b*p.InH + iy0 + ky*p.DilationH) * p.InW
		for kx := 0; kx < p.KW; kx++ {
			x := in[(row+ix0+kx*p.DilationW)*c:][:c]
			wt := w[(ky*p.KW+kx)*c:][:c]
			for i, v := range x {
				acc[i] += int32(v) * wt[i]
			}
		}
	}
}

// depthwiseInterior3 is depthwiseInterior for filters 3 taps wide: one
// pass over the channels per filter row.
func depthwiseInterior3[T quantElem](p *ConvParams, in []T, w, acc []int32, b, iy0, ix0 int) {
	c := len(acc)
	dx := p.DilationW * c
	for ky := 0; ky < p.KH; ky++ {
		base := ((b*p.InH+iy0+ky*p.DilationH)*p.InW + ix0) * c
		x0 := in[base:][:c]
		x1 := in[base+dx:][:c]
		x2 := in[base+2*dx:][:c]
		w0 := w[ky*3*c:][:c]
		w1 := w[(ky*3+1)*c:][:c]
		w2 := w[(ky*3+2)*c:][:c]
		mac3(acc, x0, x1, x2, w0, w1, w2)
	}
}

// mac3 adds three taps into acc. It is a function of its own so that its
// loop gets every register (inlined into its caller, the loop spilled).
//
//go:noinline
func mac3[T quantElem](acc []int32, x0, x1, x2 []T, w0, w1, w2 []int32) {
	x0, x1, x2 = x0[:len(acc)], x1[:len(acc)], x2[:len(acc)]
	w0, w1, w2 = w0[:len(acc)], w1[:len(acc)], w2[:len(acc)]
	for i := range acc {
		acc[i] += int32(x0[i])*w0[i] + int32(x1[i])*w1[i] + int32(x2[i])*w2[i]
	}
}

// depthwiseBorder adds Σ_valid taps (x + io)·w to acc for an output pixel
// near the border, skipping taps outside the image.
func depthwiseBorder[T quantElem](p *ConvParams, in []T, pd *PackedDepthwise, acc []int32, b, iy0, ix0 int) {
	c := len(acc)
	io := pd.io
	for ky := 0; ky < p.KH; ky++ {
		iy := iy0 + ky*p.DilationH
		if iy < 0 || iy >= p.InH {
			continue
		}
		for kx := 0; kx < p.KW; kx++ {
			ix := ix0 + kx*p.DilationW
			if ix < 0 || ix >= p.InW {
				continue
			}
			x := in[((b*p.InH+iy)*p.InW+ix)*c:][:c]
			wt := pd.w[(ky*p.KW+kx)*c:][:c]
			for i, v := range x {
				acc[i] += (int32(v) + io) * wt[i]
			}
		}
	}
}

// storeDepthwise requantizes one pixel's accumulators into o.
func storeDepthwise[T quantElem](pd *PackedDepthwise, acc []int32, o []T) {
	acc = acc[:len(o)]
	cq := pd.cq[:len(o)]
	lo, hi, off := int64(pd.actMin), int64(pd.actMax), int64(pd.outOff)
	if pd.halfUp {
		for i, a := range acc {
			o[i] = T(min(max(requantHalfUp(a, &cq[i])+off, lo), hi))
		}
		return
	}
	for i, a := range acc {
		o[i] = T(min(max(requantRef(a, &cq[i])+off, lo), hi))
	}
}
