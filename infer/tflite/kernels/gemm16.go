package kernels

import "unsafe"

// The SIMD paths (PathAVX2, PathVNNI) run the quantized GEMM on 16-bit
// values: each im2col row is widened to int16 (x' = x XOR flip, as for the
// generic path), and the weights w = filter + FilterOffset (|w| ≤ 255) are
// packed at prepare time in blocks of nr output channels as tap pairs,
// [kp][nr][2]int16 with kp = ceil(k/2) (an odd k gets a zero tap). The
// micro-kernel broadcasts a pixel's tap pair to every lane and multiplies
// it with the block's pairs (VPMADDWD / VPDPWSSD: two exact int16 products
// summed into an int32 lane), for mr pixels at once, so each weight load
// serves mr pixels. The int32 sums are exact and wrap like TFLite's, so
// adding the per-channel constant and requantizing in Go (storeBlock)
// gives the generic path's bytes.

// simdGeom returns the tile of path p: pixels per micro-kernel call and
// channels per weight block.
func simdGeom(p Path) (mr, nr int) {
	if p == PathVNNI {
		return 8, 32
	}
	return 4, 16
}

// simdBlocks returns the number of nr-channel weight blocks of pf.
func (pf *PackedFilter) simdBlocks() int { return (pf.outC + pf.nr - 1) / pf.nr }

// packSIMD fills pf.w16 from filter (outC rows of k taps).
func packSIMD[T quantElem](pf *PackedFilter, filter []T, filterOffset int32) {
	pf.rq64, pf.signedX = pf.rq64[:0], false // set again by packFused (VNNI)
	if pf.path.arm64() {
		packARM(pf, filter, filterOffset)
		return
	}
	pf.mr, pf.nr = simdGeom(pf.path)
	pf.kp = (pf.k + 1) / 2
	nb, nr, k := pf.simdBlocks(), pf.nr, pf.k
	cst := pf.cst
	pf.w8, pf.cst8 = pf.w8[:0], pf.cst8[:0]
	if pf.path == PathVNNI {
		packBytes(pf, filter, filterOffset)
		cst = pf.cst8
	}
	pf.rq, pf.vecRQ = pf.rq[:0], true
	for b := range nb {
		ch := b * nr
		n := min(nr, pf.outC-ch)
		var ok bool
		var g []int32
		g, ok = packRequant(nil, n, pf.rqLanes(), cst[ch:][:n], pf.cq[ch:][:n], pf.halfUp, pf.outOff, pf.actMin, pf.actMax)
		pf.rq = append(pf.rq, g...)
		pf.rq = append(pf.rq, make([]int32, nr*rqVecs-len(g))...)
		pf.vecRQ = pf.vecRQ && ok
	}
	if pf.path == PathVNNI {
		pf.w16 = pf.w16[:0]
		packFused(pf, filter, filterOffset)
		return
	}
	pf.w16 = grow(pf.w16, nb*pf.kp*nr*2)
	clear(pf.w16)
	for oc := range pf.outC {
		b, c := oc/nr, oc%nr
		blk := pf.w16[b*pf.kp*nr*2:][:pf.kp*nr*2]
		row := filter[oc*k:][:k]
		for t, v := range row {
			blk[(t/2)*nr*2+c*2+t%2] = int16(int32(v) + filterOffset)
		}
	}
}

// rqLanes returns the vector width of pf's requantization parameters: 16
// int32 on the AVX-512 path, 8 on AVX2.
func (pf *PackedFilter) rqLanes() int {
	if pf.path == PathVNNI {
		return 16
	}
	return 8
}

// packBytes packs pf's weights for VPDPBUSD (the VNNI path): unsigned
// input bytes u = x' XOR 0x80 = x' + 128 times signed weight bytes ws,
// where w = ws + d: ws = filter and d = FilterOffset for int8 filters,
// ws = filter − 128 and d = FilterOffset + 128 for uint8 ones, so ws
// always fits int8. Then
//
//	Σ x'·w = Σ u·ws − 128·Σ ws + d·Σ x'
//
// The second term joins the per-channel constant (cst8); the third, per
// pixel, starts the micro-kernel's sums. Blocks are [k4][nr][4]int8 with
// k4 = ceil(k/4), zero weights for the padding taps.
func packBytes[T quantElem](pf *PackedFilter, filter []T, filterOffset int32) {
	var sub int32
	if pf.flip != 0 {
		sub = 128
	}
	pf.d8 = filterOffset + sub
	pf.k4 = (pf.k + 3) / 4
	nr, k := pf.nr, pf.k
	blk := pf.k4 * nr * 4
	pf.w8 = grow(pf.w8, pf.simdBlocks()*blk)
	clear(pf.w8)
	pf.cst8 = grow(pf.cst8, pf.outC)
	for oc := range pf.outC {
		b, c := oc/nr, oc%nr
		wb := pf.w8[b*blk:][:blk]
		var sum int32
		for t, v := range filter[oc*k:][:k] {
			ws := int32(v) - sub
			wb[(t/4)*nr*4+c*4+t%4] = int8(ws)
			sum += ws
		}
		pf.cst8[oc] = pf.cst[oc] - 128*sum
	}
}

// prepRow writes src XOR xor to dst and returns Σ (dst[i] − 128) over
// len(src) bytes, i.e. the sum of the int8 inputs x'.
func prepRow(dst []byte, src []int8, xor uint8) int {
	s := bytesOf(src)
	d := dst[:len(s)]
	n := len(s) &^ 7
	sum := 0
	if n > 0 {
		sum = prepU8AVX2(&d[0], &s[0], n, xor)
	}
	for i, v := range s[n:] {
		u := v ^ xor
		d[n+i] = u
		sum += int(u)
	}
	return sum - 128*len(s)
}

// gemmTile runs path p's micro-kernel: the int32 sums of mr pixel rows
// (x, stride bytes apart) against one weight block w of kp tap pairs.
func gemmTile(p Path, x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	if p == PathVNNI {
		gemmTileVNNI(x, stride, w, kp, acc)
		return
	}
	gemmTileAVX2(x, stride, w, kp, acc)
}

// widenRow writes src XOR flip, sign-extended, to dst and zeroes the
// padding tap of an odd row.
func widenRow(dst []int16, src []int8, flip uint8) {
	s := bytesOf(src)
	d := dst[:len(s)]
	n := len(s) &^ 15
	if n > 0 {
		widenAVX2(&d[0], &src[0], n, flip)
	}
	for i, v := range s[n:] {
		d[n+i] = int16(int8(v ^ flip))
	}
	clear(dst[len(s):])
}

// int16Panels returns workers panels of n int8 each followed by workers
// panels of n16 int16 each, carved from one arena.
func (s *Scratch) int16Panels(workers, n8, n16 int) ([]int8, []int16) {
	off := (workers*n8 + 63) &^ 63
	total := off + 2*workers*n16
	if total == 0 {
		return nil, nil
	}
	if len(s.arena)*8 < total {
		s.arena = make([]uint64, (total+7)/8)
	}
	base := unsafe.Pointer(&s.arena[0])
	var p8 []int8
	if n8 > 0 {
		p8 = unsafe.Slice((*int8)(base), workers*n8)
	}
	return p8, unsafe.Slice((*int16)(unsafe.Add(base, off)), workers*n16)
}

// simdScratch returns the bytes of Scratch the SIMD paths need for a
// quantized convolution with k taps per pixel.
func simdScratch(k, workers int) int {
	kp := max((k+1)/2, armKP(PathNEON, k), armKP(PathDotprod, k))
	return (workers*convMP*k+63)&^63 + 2*workers*convMP*2*kp
}

// prepareConvSIMD sets up j for a SIMD path and returns the work units.
func prepareConvSIMD(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	j.fn, j.p, j.pf = convQuantSIMD, p, pf
	if pf.path.arm64() {
		j.fn = convQuantARM
	}
	if pf.path == PathVNNI && len(pf.rq64) > 0 {
		j.fn = convQuantVNNI
	}
	k := pf.k
	j.direct = convDirect(p)
	n8 := 0
	if !j.direct {
		n8 = convMP * k
	}
	j.panelLen = n8
	j.panels8, j.panels16 = j.s.int16Panels(workers, n8, convMP*2*pf.kp)
	groups := (convPixels(p) + convMP - 1) / convMP
	j.split = 1
	if groups < 2*workers {
		j.split = max(1, min(workers, pf.simdBlocks()))
	}
	return groups * j.split
}

// convQuantSIMD computes work units [lo, hi) (see convQuantFast) with the
// SIMD micro-kernels.
func convQuantSIMD(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k, kp, mr, nr := pf.k, pf.kp, pf.mr, pf.nr
	pixels := convPixels(p)
	row16 := 2 * kp
	panel16 := j.panels16[w*convMP*row16:][:convMP*row16]
	var panel8 []int8
	if !j.direct {
		panel8 = j.panels8[w*j.panelLen:][:j.panelLen]
	}
	var tile [8 * 32]int32
	var acc [32]int32
	var obuf [8 * 32]byte
	var init [8]int32
	lanes := pf.rqLanes()
	nb := pf.simdBlocks()
	blk := kp * nr * 2
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		if len(pf.w8) > 0 {
			// VPDPBUSD: unsigned input bytes, and d·Σx' to start each
			// pixel's sums.
			bp := unsafe.Slice((*byte)(unsafe.Pointer(&panel16[0])), 2*len(panel16))
			for i := range np {
				dst := bp[i*2*row16:][:2*row16]
				var sx int
				if j.direct {
					sx = prepRow(dst, j.inI8[directOffset(p, p0+i):][:k], pf.flip^0x80)
				} else {
					r := panel8[i*k:][:k]
					im2colRow(p, j.inI8, p0+i, pf.flip, pf.padX, r)
					sx = prepRow(dst, r, 0x80)
				}
				init[i] = int32(int64(pf.d8) * int64(sx))
			}
		} else {
			for i := range np {
				dst := panel16[i*row16:][:row16]
				if j.direct {
					widenRow(dst, j.inI8[directOffset(p, p0+i):][:k], pf.flip)
					continue
				}
				r := panel8[i*k:][:k]
				im2colRow(p, j.inI8, p0+i, pf.flip, pf.padX, r)
				widenRow(dst, r, 0)
			}
		}
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch := b * nr
			n := min(nr, pf.outC-ch)
			cst := pf.cst[ch:][:n]
			if len(pf.w8) > 0 {
				cst = pf.cst8[ch:][:n]
			}
			for t := 0; t < np; t += mr {
				if len(pf.w8) > 0 {
					gemmTileVNNI8((*byte)(unsafe.Pointer(&panel16[t*row16])), uintptr(2*row16), &pf.w8[b*pf.k4*nr*4], pf.k4, &tile[0], &init[t])
				} else {
					gemmTile(pf.path, &panel16[t*row16], uintptr(2*row16), &pf.w16[b*blk], kp, &tile[0])
				}
				rows := min(mr, np-t)
				if pf.vecRQ {
					rq := &pf.rq[b*nr*rqVecs]
					// Whole vectors go straight to the output; a ragged
					// last block goes through obuf.
					dst, stride := &obuf[0], nr
					if n%lanes == 0 {
						dst, stride = (*byte)(unsafe.Pointer(&j.outI8[(p0+t)*pf.outC+ch])), pf.outC
					}
					if lanes == 16 {
						requantTileVNNI(&tile[0], rq, dst, rows, (n+15)/16, nr, stride)
					} else {
						requantTileAVX2(&tile[0], rq, dst, rows, (n+7)/8, nr, stride)
					}
					if n%lanes != 0 {
						for i := range rows {
							copy(bytesOf(j.outI8[(p0+t+i)*pf.outC+ch:][:n]), obuf[i*nr:][:n])
						}
					}
					continue
				}
				for i := t; i < min(t+mr, np); i++ {
					sums := tile[(i-t)*nr:][:n]
					a := acc[:n]
					for c, v := range sums {
						a[c] = v + cst[c]
					}
					storeBlock(pf, a, ch, j.outI8[(p0+i)*pf.outC+ch:][:n])
				}
			}
		}
	}
}
