package kernels

import "math"

// The float32 SIMD paths (float_amd64.s) keep the generic path's bits:
// each lane is one output channel, its sum starts at +0 and adds the
// rounded products x·w (VMULPS, then VADDPS; never FMA) in tap order, as
// dotF8 does; then the bias, then the clamp. Depthwise starts at the bias
// and adds the nine taps in row-major order, as depthwiseFloatFast does.
//
// The clamp. Go's max(v, lo) and min(m, hi) return NaN when an operand is
// NaN and order −0 below +0; VMAXPS/VMINPS return their second source
// when the operands compare equal or either is NaN. The kernels pass the
// sum as the second source, so a NaN sum stays NaN, and the only
// disagreements left are ties of zeros with different signs:
//   - max(v, lo) differs only for v = −0, lo = +0. A conv sum is never −0
//     (it starts at +0, and x + y = −0 only when both are −0), so neither
//     is sum + bias; a depthwise sum is −0 only if its bias is −0.
//   - min(m, hi) differs only for m = +0, hi = −0.
//
// fusedClamp and the bias check below select the fused clamp only where
// neither can happen (and the bounds are not NaN); otherwise the kernels
// clamp to [−Inf, +Inf], which leaves every sum unchanged, and Go clamps
// the stored sums with the generic path's expression.

// floatNRSIMD is the number of channels of a SIMD float weight block.
const floatNRSIMD = 16

var (
	negInf = float32(math.Inf(-1))
	posInf = float32(math.Inf(1))
)

// fusedClamp reports whether the kernels' clamp to [lo, hi] equals Go's
// min(max(v, lo), hi) for every v other than −0.
func fusedClamp(lo, hi float32) bool {
	return lo == lo && hi == hi && !(hi == 0 && math.Signbit(float64(hi)))
}

// clampFloats applies the generic path's clamp to o in place.
func clampFloats(o []float32, lo, hi float32) {
	for i, v := range o {
		o[i] = min(max(v, lo), hi)
	}
}

// packFloatSIMD packs a float filter for the SIMD paths: blocks of 16
// channels, tap-major ([nb][k][16]float32, held in pf.wf as two
// [floatNR]float32 per tap), zero-padded, and the bias padded to whole
// blocks.
func packFloatSIMD(pf *PackedFilter, outC, k int, filter, bias []float32) {
	nb := (outC + floatNRSIMD - 1) / floatNRSIMD
	pf.k, pf.outC = k, outC
	pf.mr, pf.nr = 4, floatNRSIMD
	if pf.path == PathVNNI {
		pf.mr = 8
	}
	pf.wf = grow(pf.wf, nb*k*2)
	for b := range nb {
		for t := range k {
			var ws [floatNRSIMD]float32
			for c := range min(floatNRSIMD, outC-b*floatNRSIMD) {
				ws[c] = filter[(b*floatNRSIMD+c)*k+t]
			}
			copy(pf.wf[(b*k+t)*2][:], ws[:floatNR])
			copy(pf.wf[(b*k+t)*2+1][:], ws[floatNR:])
		}
	}
	pf.biasF = grow(pf.biasF, nb*floatNRSIMD)
	for c := range pf.biasF {
		pf.biasF[c] = 0
		if bias != nil && c < outC {
			pf.biasF[c] = bias[c]
		}
	}
}

// prepareConvFloatSIMD is prepareConvFloat for a filter packed for a SIMD
// path.
func prepareConvFloatSIMD(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	j.fn, j.p, j.pf = convFloatSIMD, p, pf
	k := p.KH * p.KW * p.InC
	j.direct = convDirect(p)
	if !j.direct {
		j.panelLen = convMP * k
		j.panelsF = j.s.float32Panels(workers, j.panelLen)
	}
	groups := (convPixels(p) + convMP - 1) / convMP
	nb := (pf.outC + floatNRSIMD - 1) / floatNRSIMD
	j.split = 1
	if groups < 2*workers {
		j.split = max(1, min(workers, nb))
	}
	return groups * j.split
}

// maxSegs bounds the segments of a convolution read in place (KH, or
// KH·KW with dilated columns); larger filters always use im2col rows.
const maxSegs = 32

// convFloatSIMD computes work units [lo, hi) of a float CONV_2D on a SIMD
// path: unit u is pixel group u/split (convMP pixels), channel-block part
// u%split. A group's pixel rows are read in place when every tap of its
// pixels lies inside the image (1x1 direct, or an interior group of a
// larger filter: KH segments of KW·InC contiguous taps, or KH·KW
// segments of InC with dilated columns), else gathered by
// im2colRowsFloat. The taps are the same in the same order either way.
// The kernels store only the pixels and channels that exist.
func convFloatSIMD(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k, outC := pf.k, pf.outC
	pixels := convPixels(p)
	var panel []float32
	if !j.direct {
		panel = j.panelsF[w*j.panelLen:][:j.panelLen]
	}
	fused := fusedClamp(j.actMin, j.actMax)
	clamp := [2]float32{j.actMin, j.actMax}
	if !fused {
		clamp = [2]float32{negInf, posInf}
	}
	var whole [1]uintptr // one segment: a row of k taps
	var segs [maxSegs]uintptr
	nseg, seglen := 0, 0
	if !j.direct {
		if p.DilationW == 1 && p.KH <= maxSegs {
			nseg, seglen = p.KH, p.KW*p.InC
			for ky := range p.KH {
				segs[ky] = uintptr(4 * ky * p.DilationH * p.InW * p.InC)
			}
		} else if p.KH*p.KW <= maxSegs {
			nseg, seglen = p.KH*p.KW, p.InC
			for ky := range p.KH {
				for kx := range p.KW {
					segs[ky*p.KW+kx] = uintptr(4 * (ky*p.DilationH*p.InW + kx*p.DilationW) * p.InC)
				}
			}
		}
	}
	span := ((p.KH-1)*p.DilationH*p.InW + (p.KW-1)*p.DilationW + 1) * p.InC // floats a pixel's taps cover in place
	var rows [convMP]*float32
	nb := (outC + floatNRSIMD - 1) / floatNRSIMD
	mr := pf.mr
	for u := lo; u < hi; u++ {
		g, bLo, bHi := u, 0, nb
		if split := j.split; split > 1 {
			part := u % split
			g, bLo, bHi = u/split, nb*part/split, nb*(part+1)/split
		}
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		if k == 0 {
			for b := bLo; b < bHi; b++ {
				ch := b * floatNRSIMD
				n := min(floatNRSIMD, outC-ch)
				for i := range np {
					o := j.outF[(p0+i)*outC+ch:][:n]
					for c := range o {
						var acc float32 // +0, as dotF8 starts
						o[c] = min(max(acc+pf.biasF[ch+c], j.actMin), j.actMax)
					}
				}
			}
			continue
		}
		gsegs, gn, gl := &whole[0], 1, k
		var offs [convMP]int
		switch {
		case j.direct:
			directOffsets(p, p0, np, &offs)
			for i := range np {
				rows[i] = &j.inF[offs[i]:][:k][0]
			}
		case nseg > 0 && insideOffsets(p, p0, np, &offs):
			for i := range np {
				rows[i] = &j.inF[offs[i]:][:span][0]
			}
			gsegs, gn, gl = &segs[0], nseg, seglen
		default:
			im2colRowsFloat(p, j.inF, p0, np, panel, k)
			for i := range np {
				rows[i] = &panel[i*k:][:k][0]
			}
		}
		for i := np; i < convMP; i++ {
			rows[i] = rows[np-1] // computed, never stored
		}
		for b := bLo; b < bHi; b++ {
			ch := b * floatNRSIMD
			n := min(floatNRSIMD, outC-ch)
			wb := &pf.wf[b*k*2:][:k*2][0][0]
			bias := &pf.biasF[ch:][:floatNRSIMD][0]
			mask := &floatMask[floatNRSIMD-n:][:floatNRSIMD][0]
			// nil: the AVX2 kernels store whole blocks without a mask.
			var mask16, mask8 *int32
			if n < floatNRSIMD {
				mask16 = mask
			}
			if n < 8 {
				mask8 = mask
			}
			if n <= 8 && np > 4 {
				// One 8-pixel call on 8 lanes instead of 16-lane tiles
				// that are half empty.
				o := j.outF[p0*outC+ch:][:(np-1)*outC+n]
				gemmF32Tile8x8AVX2(&rows[0], gsegs, gn, gl, wb, bias, &clamp[0], &o[0], uintptr(4*outC), np, mask8)
				if !fused {
					for i := range np {
						clampFloats(o[i*outC:][:n], j.actMin, j.actMax)
					}
				}
				continue
			}
			for t0 := 0; t0 < np; t0 += mr {
				m := min(mr, np-t0)
				o := j.outF[(p0+t0)*outC+ch:][:(m-1)*outC+n]
				floatTile(mr, &rows[t0], gsegs, gn, gl, wb, bias, &clamp, &o[0], uintptr(4*outC), m, mask, mask16)
				if !fused {
					for i := range m {
						clampFloats(o[i*outC:][:n], j.actMin, j.actMax)
					}
				}
			}
		}
	}
}

// floatMask[16−n:][:16] has its first n lanes set: the store mask of a
// block of n channels.
var floatMask = [2 * floatNRSIMD]int32{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}

// directOffsets sets offs[i] to directOffset(p, p0+i) for i < np,
// dividing once.
func directOffsets(p *ConvParams, p0, np int, offs *[convMP]int) {
	ox := p0 % p.OutW
	t := p0 / p.OutW
	oy, b := t%p.OutH, t/p.OutH
	for i := range np {
		offs[i] = ((b*p.InH+oy*p.StrideH)*p.InW + ox*p.StrideW) * p.InC
		if ox++; ox == p.OutW {
			if ox, oy = 0, oy+1; oy == p.OutH {
				oy, b = 0, b+1
			}
		}
	}
}

// im2colRowsFloat writes the im2col rows of output pixels [p0, p0+np)
// to panel (rows of k floats), as im2colRowFloat does, dividing once and
// copying each filter row of taps inside the image at once.
func im2colRowsFloat(p *ConvParams, in []float32, p0, np int, panel []float32, k int) {
	ox := p0 % p.OutW
	t := p0 / p.OutW
	oy, b := t%p.OutH, t/p.OutH
	rowLen := p.KW * p.InC
	for i := range np {
		dst := panel[i*k:][:k]
		iy0, ix0 := oy*p.StrideH-p.PadTop, ox*p.StrideW-p.PadLeft
		colsIn := p.DilationW == 1 && ix0 >= 0 && ix0+p.KW-1 < p.InW
		for ky := range p.KH {
			o := dst[ky*rowLen:][:rowLen]
			iy := iy0 + ky*p.DilationH
			switch {
			case iy < 0 || iy >= p.InH:
				clear(o)
			case colsIn:
				copy(o, in[((b*p.InH+iy)*p.InW+ix0)*p.InC:][:rowLen])
			default:
				for kx := range p.KW {
					ix := ix0 + kx*p.DilationW
					ot := o[kx*p.InC:][:p.InC]
					if ix < 0 || ix >= p.InW {
						clear(ot)
						continue
					}
					copy(ot, in[((b*p.InH+iy)*p.InW+ix)*p.InC:][:p.InC])
				}
			}
		}
		if ox++; ox == p.OutW {
			if ox, oy = 0, oy+1; oy == p.OutH {
				oy, b = 0, b+1
			}
		}
	}
}

// insideOffsets sets offs[i] to the offset of the first tap of output
// pixel p0+i for i < np and reports whether every tap of these pixels
// lies inside the image (offs is meaningless otherwise).
func insideOffsets(p *ConvParams, p0, np int, offs *[convMP]int) bool {
	outW, outH, inW, inH, inC := p.OutW, p.OutH, p.InW, p.InH, p.InC
	sx, sy, padL, padT := p.StrideW, p.StrideH, p.PadLeft, p.PadTop
	yMax := inH - 1 - (p.KH-1)*p.DilationH // the last first-tap row inside
	xMax := inW - 1 - (p.KW-1)*p.DilationW
	ox := p0 % outW
	t := p0 / outW
	oy, b := t%outH, t/outH
	for i := range np {
		iy0, ix0 := oy*sy-padT, ox*sx-padL
		if iy0 < 0 || ix0 < 0 || iy0 > yMax || ix0 > xMax {
			return false
		}
		offs[i] = ((b*inH+iy0)*inW + ix0) * inC
		if ox++; ox == outW {
			if ox, oy = 0, oy+1; oy == outH {
				oy, b = 0, b+1
			}
		}
	}
	return true
}

// floatTile runs the micro-kernel of an mr-pixel tile (4: AVX2, 8:
// AVX-512); an AVX-512 tile of at most 4 pixels (an FC with batch 1)
// runs the 4-pixel AVX2 kernel, which computes half the unused rows.
// mask is the block's store mask, mask16 the same or nil for a whole
// block.
func floatTile(mr int, rows **float32, segs *uintptr, nseg, seglen int, w, bias *float32, clamp *[2]float32, out *float32, ostride uintptr, nout int, mask, mask16 *int32) {
	if mr == 8 && nout > 4 {
		gemmF32TileAVX512(rows, segs, nseg, seglen, w, bias, &clamp[0], out, ostride, nout, mask)
		return
	}
	gemmF32TileAVX2(rows, segs, nseg, seglen, w, bias, &clamp[0], out, ostride, nout, mask16)
}
