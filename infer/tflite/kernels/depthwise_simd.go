package kernels

import "unsafe"

// The SIMD paths run interior pixels of 3x3 depthwise convolutions with
// depth multiplier 1 and a multiple of 8 channels in assembly
// (depthwise_amd64.s): runs of up to dwChunk consecutive output pixels
// whose taps all fall inside the image get their int32 sums (the
// per-channel constant included) from dw3x3*AVX2 and are requantized
// straight into the output by requantTileAVX2; border pixels read their
// taps through pointers (dwTaps*AVX2, depthwise_taps_amd64.s) when the
// input zero point is a byte value (pd.simdBorder), else run the Go code.
// Weights are repacked per group of 8 channels, 9 taps of 8 int32 with the
// high 16 bits zero (the assembly multiplies with VPMADDWD). The vnni path
// with a multiple of 16 channels runs depthwise512.go instead.

// dwChunk is the number of output pixels per assembly call.
const dwChunk = 8

// packDepthwiseSIMD fills pd's SIMD fields for the active path, or clears
// pd.simd when the shape or quantization does not qualify.
func packDepthwiseSIMD[T quantElem](pd *PackedDepthwise, p *ConvParams) {
	c := p.OutC
	pd.simd, pd.simdBorder, pd.neon = false, false, false
	if Active().arm64() {
		packDepthwiseNEON[T](pd, p)
		return
	}
	if !Active().x86() || !pd.fast || p.KH != 3 || p.KW != 3 || c%8 != 0 || c == 0 {
		return
	}
	var ok bool
	pd.lanes = 8
	if Active() == PathVNNI && c%16 == 0 {
		pd.lanes = 16
	}
	pd.rq, ok = packRequant(pd.rq, c, pd.lanes, nil, pd.cq, pd.halfUp, pd.outOff, pd.actMin, pd.actMax)
	if !ok {
		return
	}
	pd.w9 = grow(pd.w9, 9*c)
	for g := range c / 8 {
		for t := range 9 {
			for l := range 8 {
				pd.w9[(g*9+t)*8+l] = int32(uint16(int16(pd.w[t*c+g*8+l])))
			}
		}
	}
	if pd.lanes == 16 {
		packDepthwise16(pd, c)
	}
	pd.simd = true
	packPadRow[T](pd, c)
}

// packPadRow sets pd.simdBorder and fills pd.padRow, the row of input
// zero points the border kernels read for taps outside the image.
func packPadRow[T quantElem](pd *PackedDepthwise, c int) {
	// A tap outside the image must read as the input zero point −io.
	var zero T
	if ^zero < 0 {
		pd.simdBorder = pd.io >= -127 && pd.io <= 128
	} else {
		pd.simdBorder = pd.io >= -255 && pd.io <= 0
	}
	pd.padRow = grow(pd.padRow, c)
	fill(pd.padRow, byte(-pd.io))
}

// dwPanel returns the int32 working memory per worker of a depthwise call
// with c channels: dwChunk accumulator rows.
func dwPanel(c int) int { return c * dwChunk }

// depthwiseBorderSIMD computes output pixel (b, oy, ox), some of whose
// taps fall outside the image: the kernel reads the taps through 9
// pointers, those outside the image pointing at a row of the input zero
// point (which contributes exactly 0 against the constant's input-offset
// term), so nothing is copied.
func depthwiseBorderSIMD[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy, ox int) {
	if pd.neon {
		depthwiseBorderNEON(p, pd, in, out, acc, b, oy, ox)
		return
	}
	c := p.OutC
	taps := borderTaps(p, pd, in, b, oy, ox)
	var zero T
	if ^zero < 0 {
		dwTapsI8AVX2(&taps, &pd.w9[0], &pd.cst[0], &acc[0], c/8)
	} else {
		dwTapsU8AVX2(&taps, &pd.w9[0], &pd.cst[0], &acc[0], c/8)
	}
	pd.requant(acc, (*byte)(unsafe.Pointer(&out[((b*p.OutH+oy)*p.OutW+ox)*c])), 1, c)
}

// borderTaps points at the 3x3 taps of output pixel (b, oy, ox): the
// input pixel's c channels, or the zero-point row pd.padRow for a tap
// outside the image.
func borderTaps[T quantElem](p *ConvParams, pd *PackedDepthwise, in []T, b, oy, ox int) [9]*byte {
	c := p.OutC
	iy0, ix0 := oy*p.StrideH-p.PadTop, ox*p.StrideW-p.PadLeft
	var taps [9]*byte
	for ky := range 3 {
		iy := iy0 + ky*p.DilationH
		for kx := range 3 {
			ix := ix0 + kx*p.DilationW
			t := &pd.padRow[0]
			if iy >= 0 && iy < p.InH && ix >= 0 && ix < p.InW {
				t = (*byte)(unsafe.Pointer(&in[((b*p.InH+iy)*p.InW+ix)*c]))
			}
			taps[ky*3+kx] = t
		}
	}
	return taps
}

// depthwiseInteriorSIMD computes output pixels [ox0, ox1) of output row oy
// of batch b, all interior, into out, with acc (dwChunk·C int32) as
// working memory.
func depthwiseInteriorSIMD[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy, ox0, ox1 int) {
	if pd.neon {
		depthwiseInteriorNEON(p, pd, in, out, acc, b, oy, ox0, ox1)
		return
	}
	c := p.OutC
	var zero T
	signed := ^zero < 0
	dy := uintptr(p.DilationH * p.InW * c)
	dx := uintptr(p.DilationW * c)
	sx := uintptr(p.StrideW * c)
	iy0 := oy*p.StrideH - p.PadTop
	for ox := ox0; ox < ox1; ox += dwChunk {
		n := min(dwChunk, ox1-ox)
		ix0 := ox*p.StrideW - p.PadLeft
		src := (*byte)(unsafe.Pointer(&in[((b*p.InH+iy0)*p.InW+ix0)*c]))
		if signed {
			dw3x3I8AVX2(src, &pd.w9[0], &pd.cst[0], &acc[0], c/8, dy, dx, sx, n)
		} else {
			dw3x3U8AVX2(src, &pd.w9[0], &pd.cst[0], &acc[0], c/8, dy, dx, sx, n)
		}
		dst := (*byte)(unsafe.Pointer(&out[((b*p.OutH+oy)*p.OutW+ox)*c]))
		pd.requant(acc, dst, n, c)
	}
}

// requant writes n pixels of c requantized channels from acc to dst.
func (pd *PackedDepthwise) requant(acc []int32, dst *byte, n, c int) {
	if pd.lanes == 16 {
		requantTileVNNI(&acc[0], &pd.rq[0], dst, n, c/16, c, c)
		return
	}
	requantTileAVX2(&acc[0], &pd.rq[0], dst, n, c/8, c, c)
}
