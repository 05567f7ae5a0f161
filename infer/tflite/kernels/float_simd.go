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

// convFloatSIMD computes work units [lo, hi) of a float CONV_2D on a SIMD
// path: unit u is pixel group u/split (convMP pixels), channel-block part
// u%split. Whole tiles are stored in place; ragged ones (fewer pixels or
// channels) go through a tile buffer.
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
	var rows [convMP]*float32
	var tile [convMP * floatNRSIMD]float32
	nb := (outC + floatNRSIMD - 1) / floatNRSIMD
	mr := pf.mr
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		if k == 0 {
			for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
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
		for i := range np {
			if j.direct {
				rows[i] = &j.inF[directOffset(p, p0+i):][:k][0]
			} else {
				r := panel[i*k:][:k]
				im2colRowFloat(p, j.inF, p0+i, r)
				rows[i] = &r[0]
			}
		}
		for i := np; i < convMP; i++ {
			rows[i] = rows[np-1] // computed, never stored
		}
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch := b * floatNRSIMD
			n := min(floatNRSIMD, outC-ch)
			wb := &pf.wf[b*k*2:][:k*2][0][0]
			bias := &pf.biasF[ch:][:floatNRSIMD][0]
			for t0 := 0; t0 < np; t0 += mr {
				m := min(mr, np-t0)
				if m == mr && n == floatNRSIMD {
					o := j.outF[(p0+t0)*outC+ch:][:(mr-1)*outC+floatNRSIMD]
					floatTile(mr, &rows[t0], wb, k, bias, &clamp, &o[0], uintptr(4*outC))
					if !fused {
						for i := range mr {
							clampFloats(o[i*outC:][:n], j.actMin, j.actMax)
						}
					}
					continue
				}
				floatTile(mr, &rows[t0], wb, k, bias, &clamp, &tile[0], 4*floatNRSIMD)
				for i := range m {
					o := j.outF[(p0+t0+i)*outC+ch:][:n]
					copy(o, tile[i*floatNRSIMD:][:n])
					if !fused {
						clampFloats(o, j.actMin, j.actMax)
					}
				}
			}
		}
	}
}

// floatTile runs the micro-kernel of an mr-pixel tile (4: AVX2, 8:
// AVX-512).
func floatTile(mr int, rows **float32, w *float32, k int, bias *float32, clamp *[2]float32, out *float32, ostride uintptr) {
	if mr == 8 {
		gemmF32TileAVX512(rows, w, k, bias, &clamp[0], out, ostride)
		return
	}
	gemmF32TileAVX2(rows, w, k, bias, &clamp[0], out, ostride)
}
