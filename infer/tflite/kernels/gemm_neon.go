package kernels

import "unsafe"

//go:generate go run ./internal/neongen -o gemm_neon_arm64.s

// The arm64 paths (PathNEON, PathDotprod) run the quantized GEMM in tiles
// of 8 pixels × 8 channels (gemm_neon_arm64.s) and requantize the sums
// with the Go storeBlock, so their bytes are the generic path's whenever
// their int32 sums are:
//
//   - neon: rows widened to int16 (x' = x XOR flip, as the generic path)
//     and weights w = filter + FilterOffset (|w| ≤ 255) packed as
//     [taps][8]int16, taps padded with zero weights to a multiple of 8.
//     SMLAL/SMLAL2 by element multiply 4 channels' weights by one pixel's
//     tap and add the exact products (|x'·w| ≤ 128·255) into int32 lanes
//     without saturation.
//   - dotprod: SDOT multiplies signed bytes. With ws = filter (int8) or
//     filter − 128 (uint8; both fit int8) and d = w − ws (FilterOffset,
//     resp. FilterOffset + 128, the same for every weight),
//     Σ x'·w = Σ x'·ws + d·Σ x'. SDOT computes the first sum exactly
//     from the rows' bytes x' as they are; the second, per pixel, is
//     added with the per-channel constant. Weights are packed as
//     [taps/4][8][4]int8, taps padded with zeros to a multiple of 16.
//
// Padding taps have zero weights, so whatever the rows hold there adds 0.

// armMR and armNR are the pixels and channels of an arm64 tile.
const (
	armMR = 8
	armNR = 8
)

// armKP returns pf.kp for an arm64 path: "tap pairs" such that a row of
// 2·kp int16 (neon: 8·ceil(k/8) taps) or 4·kp bytes (dotprod:
// 16·ceil(k/16) taps) covers whole iterations of the micro-kernel.
func armKP(path Path, k int) int {
	if path == PathDotprod {
		return 4 * ((k + 15) / 16)
	}
	return 4 * ((k + 7) / 8)
}

// packARM fills pf's weights for an arm64 path (see above) and the
// parameters of the NEON requantization, one 8-lane group of packRequant
// per block (vecRQ false when a channel needs the Go one: half-up
// rounding with a left shift).
func packARM[T quantElem](pf *PackedFilter, filter []T, filterOffset int32) {
	pf.mr, pf.nr = armMR, armNR
	pf.kp = armKP(pf.path, pf.k)
	pf.cst8 = pf.cst8[:0]
	nb, nr, k := pf.simdBlocks(), pf.nr, pf.k
	pf.rq, pf.vecRQ = grow(pf.rq, nb*rqVecs*armNR), true
	for b := range nb {
		ch := b * nr
		n := min(nr, pf.outC-ch)
		// A full-capacity slice of exactly one group: filled in place.
		_, ok := packRequant(pf.rq[b*rqVecs*armNR:][:0:rqVecs*armNR], n, armNR, pf.cst[ch:][:n], pf.cq[ch:][:n], pf.halfUp, pf.outOff, pf.actMin, pf.actMax)
		pf.vecRQ = pf.vecRQ && ok
	}
	if pf.path == PathDotprod {
		var sub int32
		if pf.flip != 0 {
			sub = 128
		}
		pf.d8 = filterOffset + sub
		pf.k4 = pf.kp
		blk := pf.k4 * nr * 4
		pf.w16 = pf.w16[:0]
		pf.w8 = grow(pf.w8, nb*blk)
		clear(pf.w8)
		for oc := range pf.outC {
			wb := pf.w8[(oc/nr)*blk:][:blk]
			c := oc % nr
			for t, v := range filter[oc*k:][:k] {
				wb[(t/4)*nr*4+c*4+t%4] = int8(int32(v) - sub)
			}
		}
		return
	}
	taps := 2 * pf.kp
	blk := taps * nr
	pf.w8 = pf.w8[:0]
	pf.w16 = grow(pf.w16, nb*blk)
	clear(pf.w16)
	for oc := range pf.outC {
		wb := pf.w16[(oc/nr)*blk:][:blk]
		c := oc % nr
		for t, v := range filter[oc*k:][:k] {
			wb[t*nr+c] = int16(int32(v) + filterOffset)
		}
	}
}

// convQuantARM computes work units [lo, hi) (see convQuantFast) with the
// arm64 micro-kernels.
func convQuantARM(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k, nr := pf.k, pf.nr
	pixels := convPixels(p)
	row16 := 2 * pf.kp
	panel16 := j.panels16[w*convMP*row16:][:convMP*row16]
	panelB := unsafe.Slice((*byte)(unsafe.Pointer(&panel16[0])), 2*len(panel16))
	var panel8 []int8
	if !j.direct {
		panel8 = j.panels8[w*j.panelLen:][:j.panelLen]
	}
	dot := pf.path == PathDotprod
	var tile [armMR * armNR]int32
	var acc [armNR]int32
	var init [convMP]int32 // dotprod: d·Σ x' per pixel
	var obuf [armMR * armNR]byte
	nb := pf.simdBlocks()
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		for i := range np {
			src, xor := []int8(nil), pf.flip
			if j.direct {
				src = j.inI8[directOffset(p, p0+i):][:k]
			} else {
				src, xor = panel8[i*k:][:k], 0
				im2colRow(p, j.inI8, p0+i, pf.flip, pf.padX, src)
			}
			if dot {
				init[i] = pf.d8 * int32(prepRowS8(panelB[i*2*row16:][:2*row16], src, xor))
			} else {
				widenRowARM(panel16[i*row16:][:row16], src, xor)
			}
		}
		// Rows np…7 of a last, short group hold stale data; their sums
		// are computed and dropped.
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch := b * nr
			n := min(nr, pf.outC-ch)
			if dot {
				gemmTileDot(&panelB[0], uintptr(2*row16), &pf.w8[b*pf.k4*nr*4], pf.k4/4, &tile[0])
			} else {
				gemmTileNEON(&panel16[0], uintptr(2*row16), &pf.w16[b*row16*nr], row16/8, &tile[0])
			}
			if pf.vecRQ {
				// Whole blocks go straight to the output; a ragged
				// last block goes through obuf.
				dst, stride := &obuf[0], nr
				if n == nr {
					dst, stride = (*byte)(unsafe.Pointer(&j.outI8[p0*pf.outC+ch])), pf.outC
				}
				requantTileNEON(&tile[0], &pf.rq[b*rqVecs*armNR], &init[0], dst, np, stride)
				if n != nr {
					for i := range np {
						copy(bytesOf(j.outI8[(p0+i)*pf.outC+ch:][:n]), obuf[i*nr:][:n])
					}
				}
				continue
			}
			cst := pf.cst[ch:][:n]
			for i := range np {
				a, sums, in := acc[:n], tile[i*nr:][:n], init[i]
				for c, v := range sums {
					a[c] = v + cst[c] + in
				}
				storeBlock(pf, a, ch, j.outI8[(p0+i)*pf.outC+ch:][:n])
			}
		}
	}
}

// widenRowARM writes src XOR flip, sign-extended, to dst and zeroes the
// rest of dst (the padding taps).
func widenRowARM(dst []int16, src []int8, flip uint8) {
	s := bytesOf(src)
	d := dst[:len(s)]
	n := len(s) &^ 15
	if n > 0 {
		widenNEON(&d[0], &src[0], n, flip)
	}
	for i, v := range s[n:] {
		d[n+i] = int16(int8(v ^ flip))
	}
	clear(dst[len(s):])
}

// prepRowS8 writes src XOR xor to dst and returns the sum of the written
// bytes as int8 values, Σ x'.
func prepRowS8(dst []byte, src []int8, xor uint8) int {
	s := bytesOf(src)
	d := dst[:len(s)]
	n := len(s) &^ 15
	sum := 0
	if n > 0 {
		sum = prepS8NEON(&d[0], &s[0], n, xor)
	}
	for i, v := range s[n:] {
		u := v ^ xor
		d[n+i] = u
		sum += int(int8(u))
	}
	return sum
}
