package kernels

import "unsafe"

//go:generate go run ./internal/neongen -kernels depthwise -o depthwise_neon_arm64.s

// The arm64 paths (neon and dotprod) run 3x3 depthwise convolutions with
// depth multiplier 1 and a multiple of 8 channels in assembly
// (depthwise_neon_arm64.s), as the amd64 ones do: runs of up to dwChunk
// interior output pixels get their exact int32 sums from dw3x3*NEON
// (dw3x3S1*NEON when stride = dilation, as in MobileNets' stride-1
// layers: one new input column per pixel),
// border pixels read their taps through pointers (dwTaps*NEON; taps
// outside the image point at a row of the input zero point, which adds
// exactly 0 against the constant's InputOffset·Σw term) when the zero
// point is a byte value, and requantTileNEON (the GEMM's requantization,
// the per-channel constant in its parameters) writes the output bytes.
// Weights w = filter + FilterOffset are packed per group of 8 channels as
// 9 taps of 8 int16; the kernels widen the input bytes to int16 and add
// the products with SMULL/SMLAL{2}, exact for any int16 weight.
//
// The sums of a run are laid out group-major, [C/8][n][8]int32, so that
// requantTileNEON takes each group's n rows as they are.

// dwZeroInit is the per-row term requantTileNEON adds: none for depthwise.
var dwZeroInit [dwChunk]int32

// packDepthwiseNEON fills pd's fields for the arm64 kernels, or leaves
// pd.simd false when the shape or quantization does not qualify.
func packDepthwiseNEON[T quantElem](pd *PackedDepthwise, p *ConvParams) {
	c := p.OutC
	if !pd.fast || p.KH != 3 || p.KW != 3 || c%8 != 0 || c == 0 {
		return
	}
	for _, v := range pd.w[:9*c] {
		if v != int32(int16(v)) {
			return
		}
	}
	var ok bool
	pd.lanes = 8
	pd.rq, ok = packRequant(pd.rq, c, 8, pd.cst, pd.cq, pd.halfUp, pd.outOff, pd.actMin, pd.actMax)
	if !ok {
		return
	}
	pd.w9h = grow(pd.w9h, 9*c)
	for g := range c / 8 {
		for t := range 9 {
			for l := range 8 {
				pd.w9h[(g*9+t)*8+l] = int16(pd.w[t*c+g*8+l])
			}
		}
	}
	pd.simd, pd.neon = true, true
	packPadRow[T](pd, c)
}

// depthwiseInteriorNEON is depthwiseInteriorSIMD for the arm64 kernels.
func depthwiseInteriorNEON[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy, ox0, ox1 int) {
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
		switch {
		case sx == dx && signed:
			dw3x3S1I8NEON(src, &pd.w9h[0], &acc[0], c/8, dy, dx, n)
		case sx == dx:
			dw3x3S1U8NEON(src, &pd.w9h[0], &acc[0], c/8, dy, dx, n)
		case signed:
			dw3x3I8NEON(src, &pd.w9h[0], &acc[0], c/8, dy, dx, sx, n)
		default:
			dw3x3U8NEON(src, &pd.w9h[0], &acc[0], c/8, dy, dx, sx, n)
		}
		requantDepthwiseNEON(pd, acc, quantBytes(out[((b*p.OutH+oy)*p.OutW+ox)*c:][:n*c]), n, c)
	}
}

// depthwiseBorderNEON is depthwiseBorderSIMD for the arm64 kernels.
func depthwiseBorderNEON[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy, ox int) {
	c := p.OutC
	taps := borderTaps(p, pd, in, b, oy, ox)
	var zero T
	if ^zero < 0 {
		dwTapsI8NEON(&taps, &pd.w9h[0], &acc[0], c/8)
	} else {
		dwTapsU8NEON(&taps, &pd.w9h[0], &acc[0], c/8)
	}
	requantDepthwiseNEON(pd, acc, quantBytes(out[((b*p.OutH+oy)*p.OutW+ox)*c:][:c]), 1, c)
}

// requantDepthwiseNEON requantizes n pixels × c channels of group-major
// sums from acc into dst (n·c bytes, pixel-major).
func requantDepthwiseNEON(pd *PackedDepthwise, acc []int32, dst []byte, n, c int) {
	for g := range c / 8 {
		requantTileNEON(&acc[g*n*8], &pd.rq[g*rqVecs*8], &dwZeroInit[0], &dst[g*8], n, c)
	}
}

// quantBytes returns s's memory as bytes.
func quantBytes[T quantElem](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}
