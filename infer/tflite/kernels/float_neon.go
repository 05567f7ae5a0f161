package kernels

//go:generate go run ./internal/neongen -kernels float -o float_neon_arm64.s

// The float32 CONV_2D / FULLY_CONNECTED driver of the arm64 paths (neon
// and dotprod, both with Advanced SIMD). The filter keeps the generic
// packing ([ceil(outC/8)][k][8]float32, packFloat); gemmF32TileNEON
// computes 8 pixels × 8 channels with the generic path's arithmetic:
// each lane starts at +0 and adds the rounded products x·w (FMUL, then
// FADD; never FMLA) in tap order, as dotF8 does, then the bias.
//
// The clamp. Go compiles max(v, lo) and min(m, hi) on float32 to FMAX
// and FMIN on arm64, and FMAX/FMIN follow Go's rules anyway: NaN when an
// operand is NaN, −0 ordered below +0. So the kernel's FMAX(v, lo) then
// FMIN(·, hi) is the generic expression for every v, signed zeros
// included (unlike VMAXPS/VMINPS on amd64). Only NaN bounds are left to
// Go (neonClamp), so that a NaN bound meeting a NaN sum cannot pick a
// different payload.

// neonClamp reports whether the kernel may clamp to [lo, hi] itself.
func neonClamp(lo, hi float32) bool { return lo == lo && hi == hi }

// prepareConvFloatNEON is prepareConvFloat for a filter packed on an
// arm64 path.
func prepareConvFloatNEON(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	n := prepareConvFloat0(j, p, pf, workers)
	j.fn = convFloatNEON
	return n
}

// convFloatNEON computes work units [lo, hi) of a float CONV_2D on an
// arm64 path: unit u is pixel group u/split (convMP = 8 pixels, read in
// place for a direct convolution, else gathered by im2colRowsFloat),
// channel-block part u%split. Groups of more than rowPixels pixels run
// gemmF32TileNEON per 8-channel block, smaller ones gemmF32RowNEON per
// pixel. Whole blocks of 8 channels are stored by the kernels; a last
// partial block goes through a buffer on the stack.
func convFloatNEON(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k, outC := pf.k, pf.outC
	pixels := convPixels(p)
	var panel []float32
	if !j.direct {
		panel = j.panelsF[w*j.panelLen:][:j.panelLen]
	}
	fused := neonClamp(j.actMin, j.actMax)
	clamp := [2]float32{j.actMin, j.actMax}
	if !fused {
		clamp = [2]float32{negInf, posInf}
	}
	var zero [1]float32 // the row of every pixel when k == 0 (never read)
	var rows [convMP]*float32
	var tile [convMP * floatNR]float32
	nb := (outC + floatNR - 1) / floatNR
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		switch {
		case k == 0:
			for i := range np {
				rows[i] = &zero[0]
			}
		case j.direct:
			var offs [convMP]int
			directOffsets(p, p0, np, &offs)
			for i := range np {
				rows[i] = &j.inF[offs[i]:][:k][0]
			}
		default:
			im2colRowsFloat(p, j.inF, p0, np, panel, k)
			for i := range np {
				rows[i] = &panel[i*k:][:k][0]
			}
		}
		bLo, bHi := nb*part/j.split, nb*(part+1)/j.split
		if np <= rowPixels {
			for i := range np {
				convFloatRowsNEON(pf, rows[i], bLo, bHi, &clamp, j.outF[(p0+i)*outC:][:outC])
			}
		} else {
			for i := np; i < convMP; i++ {
				rows[i] = rows[np-1] // computed, never stored
			}
			for b := bLo; b < bHi; b++ {
				ch := b * floatNR
				n := min(floatNR, outC-ch)
				wb := &zero[0]
				if k > 0 {
					wb = &pf.wf[b*k:][:k][0][0]
				}
				bias := &pf.biasF[ch:][:floatNR][0]
				o := j.outF[p0*outC+ch:][:(np-1)*outC+n]
				if n == floatNR {
					gemmF32TileNEON(&rows[0], k, wb, bias, &clamp[0], &o[0], uintptr(4*outC), np)
					continue
				}
				gemmF32TileNEON(&rows[0], k, wb, bias, &clamp[0], &tile[0], 4*floatNR, np)
				for i := range np {
					copy(o[i*outC:][:n], tile[i*floatNR:])
				}
			}
		}
		if !fused {
			for i := range np {
				clampFloats(j.outF[(p0+i)*outC:][bLo*floatNR:min(outC, bHi*floatNR)], j.actMin, j.actMax)
			}
		}
	}
}

// rowPixels is the largest pixel group that convFloatNEON computes one
// pixel at a time with gemmF32RowNEON: below it, an 8-pixel tile would
// spend most of its multiplies on copies of the last row (a
// FULLY_CONNECTED with batch 1 uses one row of eight).
const rowPixels = 4

// convFloatRowsNEON computes channel blocks [bLo, bHi) of one pixel (its
// k taps at x; o is the pixel's outC outputs) with gemmF32RowNEON, four
// blocks per call; a last block of fewer than 8 channels goes through a
// buffer on the stack.
func convFloatRowsNEON(pf *PackedFilter, x *float32, bLo, bHi int, clamp *[2]float32, o []float32) {
	k, outC := pf.k, pf.outC
	var zero [1]float32 // the weights when k == 0 (never read)
	var ws [4]*float32
	var buf [4 * floatNR]float32
	for b := bLo; b < bHi; b += 4 {
		nblk := min(4, bHi-b)
		for i := range ws {
			ws[i] = &zero[0]
			if k > 0 {
				ws[i] = &pf.wf[(b+min(i, nblk-1))*k:][:k][0][0] // blocks past nblk: computed, never stored
			}
		}
		ch := b * floatNR
		bias := &pf.biasF[ch:][:nblk*floatNR][0]
		if n := min(nblk*floatNR, outC-ch); n < nblk*floatNR {
			gemmF32RowNEON(x, k, &ws[0], bias, &clamp[0], &buf[0], nblk)
			copy(o[ch:][:n], buf[:n])
			continue
		}
		gemmF32RowNEON(x, k, &ws[0], bias, &clamp[0], &o[ch:][:nblk*floatNR][0], nblk)
	}
}

// dw3x3F32 runs the interior depthwise 3x3 kernel of the x86 paths, or
// of the arm64 paths when arm is set.
func dw3x3F32(arm bool, in, w, bias, out *float32, c8 int, dy, dx, sx uintptr, n int, clamp *float32) {
	if arm {
		dw3x3F32NEON(in, w, bias, out, c8, dy, dx, sx, n, clamp)
		return
	}
	dw3x3F32AVX2(in, w, bias, out, c8, dy, dx, sx, n, clamp)
}

// dwTapsF32 runs the border depthwise kernel of the x86 paths, or of the
// arm64 paths when arm is set.
func dwTapsF32(arm bool, in **float32, w **float32, ntaps int, bias, out *float32, c8 int, clamp *float32) {
	if arm {
		dwTapsF32NEON(in, w, ntaps, bias, out, c8, clamp)
		return
	}
	dwTapsF32AVX2(in, w, ntaps, bias, out, c8, clamp)
}
