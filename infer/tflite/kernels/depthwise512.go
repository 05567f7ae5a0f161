package kernels

import "unsafe"

// The vnni path runs 3x3 depthwise convolutions with depth multiplier 1
// and a multiple of 16 channels with AVX-512 kernels
// (depthwise512_amd64.s), one output row at a time (depthwiseRow16):
//
//   - interior pixels in runs of up to dwChunk: per group of 16 channels
//     the 9 weight vectors are loaded once and serve every pixel of the
//     run (dw3x3*VNNI), one VPDPWSSD per tap; when stride = dilation
//     (both 1 in MobileNets) the widened input columns are reused by the next two
//     pixels (dw3x3S1*VNNI), so each pixel widens 3 inputs instead of 9;
//   - border pixels read their taps through 9 pointers, those outside
//     the image pointing at a row of the input zero point (dwTaps*VNNI),
//     so nothing is copied; runs of border pixels are requantized
//     together like interior ones.
//
// Weights are repacked per group of 16 channels (pd.w16), 9 taps of 16
// int32 with the high 16 bits zero.

// packDepthwise16 fills pd.w16 from pd.w for c channels (a multiple of 16).
func packDepthwise16(pd *PackedDepthwise, c int) {
	pd.w16 = grow(pd.w16, 9*c)
	for g := range c / 16 {
		for t := range 9 {
			for l := range 16 {
				pd.w16[(g*9+t)*16+l] = int32(uint16(int16(pd.w[t*c+g*16+l])))
			}
		}
	}
}

// depthwiseRow16 computes output row oy of image b on the vnni path, with
// acc (dwChunk·C int32) as working memory. It needs pd.simdBorder.
func depthwiseRow16[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy int) {
	iy0 := oy*p.StrideH - p.PadTop
	if iy0 < 0 || iy0+2*p.DilationH >= p.InH {
		depthwiseBorder16(p, pd, in, out, acc, b, oy, 0, p.OutW)
		return
	}
	// Interior columns: ix0 ≥ 0 and ix0 + 2·DilationW < InW.
	xa := min((p.PadLeft+p.StrideW-1)/p.StrideW, p.OutW)
	xb := xa
	for xb < p.OutW && xb*p.StrideW-p.PadLeft+2*p.DilationW < p.InW {
		xb++
	}
	depthwiseBorder16(p, pd, in, out, acc, b, oy, 0, xa)
	c := p.OutC
	var zero T
	signed := ^zero < 0
	dy := uintptr(p.DilationH * p.InW * c)
	dx := uintptr(p.DilationW * c)
	sx := uintptr(p.StrideW * c)
	for ox := xa; ox < xb; ox += dwChunk {
		n := min(dwChunk, xb-ox)
		ix0 := ox*p.StrideW - p.PadLeft
		src := (*byte)(unsafe.Pointer(&in[((b*p.InH+iy0)*p.InW+ix0)*c]))
		switch {
		case sx == dx && signed:
			dw3x3S1I8VNNI(src, &pd.w16[0], &pd.cst[0], &acc[0], c/16, dy, dx, n, uintptr(4*c))
		case sx == dx:
			dw3x3S1U8VNNI(src, &pd.w16[0], &pd.cst[0], &acc[0], c/16, dy, dx, n, uintptr(4*c))
		case signed:
			dw3x3I8VNNI(src, &pd.w16[0], &pd.cst[0], &acc[0], c/16, dy, dx, sx, n, uintptr(4*c))
		default:
			dw3x3U8VNNI(src, &pd.w16[0], &pd.cst[0], &acc[0], c/16, dy, dx, sx, n, uintptr(4*c))
		}
		requantTileVNNI(&acc[0], &pd.rq[0], (*byte)(unsafe.Pointer(&out[((b*p.OutH+oy)*p.OutW+ox)*c])), n, c/16, c, c)
	}
	depthwiseBorder16(p, pd, in, out, acc, b, oy, xb, p.OutW)
}

// depthwiseBorder16 computes output pixels [ox0, ox1) of row oy of image
// b, some of whose taps may fall outside the image.
func depthwiseBorder16[T quantElem](p *ConvParams, pd *PackedDepthwise, in, out []T, acc []int32, b, oy, ox0, ox1 int) {
	c := p.OutC
	var zero T
	signed := ^zero < 0
	pad := &pd.padRow[0]
	iy0 := oy*p.StrideH - p.PadTop
	var taps [9]*byte
	for ox := ox0; ox < ox1; ox += dwChunk {
		n := min(dwChunk, ox1-ox)
		for i := range n {
			ix0 := (ox+i)*p.StrideW - p.PadLeft
			for ky := range 3 {
				iy := iy0 + ky*p.DilationH
				for kx := range 3 {
					ix := ix0 + kx*p.DilationW
					t := pad
					if iy >= 0 && iy < p.InH && ix >= 0 && ix < p.InW {
						t = (*byte)(unsafe.Pointer(&in[((b*p.InH+iy)*p.InW+ix)*c]))
					}
					taps[ky*3+kx] = t
				}
			}
			if signed {
				dwTapsI8VNNI(&taps, &pd.w16[0], &pd.cst[0], &acc[i*c], c/16)
			} else {
				dwTapsU8VNNI(&taps, &pd.w16[0], &pd.cst[0], &acc[i*c], c/16)
			}
		}
		requantTileVNNI(&acc[0], &pd.rq[0], (*byte)(unsafe.Pointer(&out[((b*p.OutH+oy)*p.OutW+ox)*c])), n, c/16, c, c)
	}
}
