package kernels

import (
	"encoding/binary"
	"unsafe"
)

// The VNNI path's fused micro-kernel (gemmRQVNNI8, gemm_rq_amd64.s) keeps
// a tile's 8 pixels × 32 channels of int32 sums in registers and
// requantizes them there, writing output bytes with masked stores (a
// ragged channel block needs no bounce buffer). Blocks of at most 16
// valid channels run a half tile (8 pixels × 16 channels) and skip the
// zero half of the weights.
//
// Its requantization does both of TFLite's rounding steps in one 64-bit
// shift. With P = (a << left)·m (a 64-bit product, m ≥ 0, a the int32
// sum after the wrapping left shift), the reference computes
// h = (P + 2^30) >> 31 and then r = (h + c) >> right with
// c = half + negAdj·[h < 0] (negAdj = −1 for right > 0 in the reference
// rounding, 0 for half-up; half = 2^(right−1) or 0). Nested floor
// divisions by powers of two compose, so
//
//	r = (P + 2^30 + c·2^31) >> (31 + right)
//
// exactly, and h < 0 ⇔ P < −2^30. |P| ≤ 2^62 and c·2^31 ≤ 2^61 + 2^31,
// so the sum fits int64. The kernel multiplies even and odd lanes with
// VPMULDQ, adds the rounding constant (plus negAdj·2^31 where
// P < −2^30), shifts with VPSRAVQ and interleaves the low halves again;
// then clamps to [actMin−off, actMax−off] and adds off, as
// requant_amd64.s does.

// Vectors of one 16-channel group of the fused epilogue's parameters,
// each 16 int32 (64 bytes); the "64-bit" ones hold 8 int64, one per
// even (resp. odd) channel of the group.
const (
	rq64Cst   = iota // int32: per-channel constant added to the sums
	rq64Left         // int32: left shift
	rq64M            // int32: multiplier (VPMULDQ reads the even lanes)
	rq64MOdd         // int64: multipliers of the odd channels
	rq64REven        // int64: 2^30 + half·2^31
	rq64ROdd         //
	rq64NEven        // int64: negAdj·2^31, added where P < −2^30
	rq64NOdd         //
	rq64SEven        // int64: 31 + right
	rq64SOdd         //
	rq64Lo           // int32: actMin − outOff
	rq64Hi           // int32: actMax − outOff
	rq64Off          // int32: outOff
	rq64Vecs
)

// Flags of gemmRQVNNI8.
const (
	fusedSigned = 1 // signed input bytes, unsigned weights
	fusedHalfUp = 2 // half-up rounding: no left shifts, no adjustment of negatives
)

// rq64Block is the number of int32 of one 32-channel block's parameters
// (two groups).
const rq64Block = 2 * rq64Vecs * 16

// packRequant64 appends to dst the parameters of one 32-channel block
// whose first n channels are real (the rest inert) and reports whether
// the fused requantization is exact for all of them (half-up rounding
// with a left shift is not: it shifts in 64 bits).
func packRequant64(dst []int32, n int, cst []int32, cq []chanQuant, halfUp bool, outOff, actMin, actMax int32) ([]int32, bool) {
	base := len(dst)
	dst = append(dst, make([]int32, rq64Block)...)
	blk := dst[base:]
	ok := true
	set64 := func(v []int32, vec, lane int, x int64) {
		v[vec*16+2*lane] = int32(x)
		v[vec*16+2*lane+1] = int32(x >> 32)
	}
	for c := range 32 {
		v := blk[(c/16)*rq64Vecs*16:][:rq64Vecs*16]
		l := c % 16
		v[rq64Lo*16+l] = actMin - outOff
		v[rq64Hi*16+l] = actMax - outOff
		v[rq64Off*16+l] = outOff
		odd, lane := l%2, l/2
		if c >= n {
			set64(v, rq64SEven+odd, lane, 31)
			continue
		}
		q := &cq[c]
		if halfUp && q.left != 0 {
			ok = false
		}
		v[rq64Cst*16+l] = cst[c]
		v[rq64Left*16+l] = int32(q.left)
		v[rq64M*16+l] = int32(q.m)
		if odd == 1 {
			set64(v, rq64MOdd, lane, q.m)
		}
		set64(v, rq64REven+odd, lane, 1<<30+q.half<<31)
		if !halfUp {
			set64(v, rq64NEven+odd, lane, q.negAdj<<31)
		}
		set64(v, rq64SEven+odd, lane, 31+int64(q.right))
	}
	return dst, ok
}

// packFused fills pf.rq64 for the VNNI path when the fused requantization
// is exact for every channel, and leaves it empty otherwise (the tile
// kernels and the Go requantization run then). For int8 input it repacks
// the weights for the signed-input form of VPDPBUSD: the input bytes x'
// are the signed operand, read as they are, and the weights the unsigned
// one, wu = filter + 128 = w − d with d = FilterOffset − 128, so
//
//	Σ x'·w = Σ x'·wu + d·Σ x'
//
// and the per-channel constant is cst itself.
func packFused[T quantElem](pf *PackedFilter, filter []T, filterOffset int32) {
	pf.rq64, pf.signedX = pf.rq64[:0], false
	for c := range pf.cq {
		if pf.halfUp && pf.cq[c].left != 0 {
			return
		}
	}
	if pf.flip == 0 {
		pf.signedX = true
		pf.d8 = filterOffset - 128
		nr, k := pf.nr, pf.k
		blk := pf.k4 * nr * 4
		clear(pf.w8)
		for oc := range pf.outC {
			b, c := oc/nr, oc%nr
			wb := pf.w8[b*blk:][:blk]
			for t, v := range filter[oc*k:][:k] {
				wb[(t/4)*nr*4+c*4+t%4] = int8(uint8(int32(v) + 128))
			}
		}
		copy(pf.cst8, pf.cst)
	}
	for b := range pf.simdBlocks() {
		ch := b * 32
		n := min(32, pf.outC-ch)
		pf.rq64, _ = packRequant64(pf.rq64, n, pf.cst8[ch:][:n], pf.cq[ch:][:n], pf.halfUp, pf.outOff, pf.actMin, pf.actMax)
	}
}

// convQuantVNNI computes work units [lo, hi) (see convQuantFast) with the
// fused VNNI kernel. The kernel's input operand is u = x' + 128 (unsigned)
// for uint8 input, which are the input bytes as they are, and x' itself
// (signed) for int8 input, again the input bytes; so a direct
// convolution with k a multiple of 4 reads its pixel rows in place.
// Other rows are gathered into the panel (padded to whole groups of 4
// taps, whose weights are 0).
func convQuantVNNI(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k := pf.k
	pixels := convPixels(p)
	rowB := 4 * pf.kp // bytes per panel row (≥ 4·k4)
	panel := unsafe.Slice((*byte)(unsafe.Pointer(&j.panels16[w*convMP*2*pf.kp])), convMP*rowB)
	// In both forms the kernel's operand is the input byte itself (uint8
	// input: u = x' XOR 0x80 = x; int8: x' = x). pad is the operand of a
	// tap outside the image, sumXor makes the row sums those of
	// u = x' + 128.
	pad, sumXor := byte(pf.padX)^0x80, uint8(0)
	if pf.signedX {
		pad, sumXor = byte(pf.padX), 0x80
	}
	// The row sums cover the k taps and 64 − k%64 bytes of value sumXor.
	extra := int64(sumXor) * int64(64-k%64)
	inPlace := j.direct && k%4 == 0
	flags := 0
	if pf.signedX {
		flags |= fusedSigned
	}
	if pf.halfUp {
		flags |= fusedHalfUp
	}
	var rows [convMP]uintptr
	var init [convMP]int32
	var sums [convMP]int64
	nb := pf.simdBlocks()
	blkW := pf.k4 * 32 * 4
	in := bytesOf(j.inI8)
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		var sc directScan
		var pc pixCursor
		tiled := false
		if j.direct {
			sc.start(p, p0)
		} else {
			pc.start(p, p0)
			tiled = im2colTile(p, in, &pc, np, panel, rowB, &rows)
		}
		for i := 0; i < np && !tiled; i++ {
			switch {
			case inPlace:
				rows[i] = uintptr(unsafe.Pointer(&in[sc.off]))
			case j.direct:
				dst := panel[i*rowB:][:k]
				rows[i] = uintptr(unsafe.Pointer(&dst[0]))
				copy(dst, in[sc.off:][:k])
			default:
				dst := panel[i*rowB:][:k]
				rows[i] = uintptr(unsafe.Pointer(&dst[0]))
				im2colBytes(p, in, &pc, pad, dst)
				pc.next(p)
			}
			if j.direct {
				sc.next(p, p0+i+1)
			}
		}
		for i := np; i < convMP; i++ {
			rows[i] = rows[0]
		}
		rowSums8VNNI(&rows, k, sumXor, &sums)
		for i := range init {
			// Σ x' = Σ u − 128·k
			init[i] = int32(int64(pf.d8) * (sums[i] - extra - int64(128*k)))
		}
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch := b * 32
			n := min(32, pf.outC-ch)
			out := bytesOf(j.outI8[p0*pf.outC+ch:][:(np-1)*pf.outC+n])
			gemmRQVNNI8(&rows, pf.k4, &pf.w8[b*blkW], &pf.rq64[b*rq64Block], &init[0], &out[0], pf.outC, np, n, flags)
		}
	}
}

// directScan walks the input offsets of consecutive output pixels of a
// direct (1x1, unpadded) convolution with one division per output row.
type directScan struct{ off, ox int }

func (s *directScan) start(p *ConvParams, pix int) {
	s.off, s.ox = directOffset(p, pix), pix%p.OutW
}

// next moves to pixel pix, the one after the current.
func (s *directScan) next(p *ConvParams, pix int) {
	s.ox++
	s.off += p.StrideW * p.InC
	if s.ox == p.OutW {
		// The next output row (possibly of the next image) starts
		// StrideH input rows down: recompute.
		s.ox = 0
		s.off = directOffset(p, pix)
	}
}

// im2colBytes writes the KH·KW·InC taps of output pixel pc to dst: the
// input bytes, pad for taps outside the image. With DilationW = 1 a
// filter row's taps inside the image are one run of the input, copied at
// once.
func im2colBytes(p *ConvParams, in []byte, pc *pixCursor, pad byte, dst []byte) {
	ox, oy, b := pc.ox, pc.oy, pc.b
	c := p.InC
	rowLen := p.KW * c
	ix0 := ox*p.StrideW - p.PadLeft
	iy0 := oy*p.StrideH - p.PadTop
	if rowLen >= 8 && rowLen <= 16 && p.DilationW == 1 && ix0 >= 0 && ix0+p.KW <= p.InW &&
		iy0 >= 0 && iy0+(p.KH-1)*p.DilationH < p.InH {
		// All taps inside and a filter row of 8–16 bytes (e.g. 3x3 over
		// 3 channels): two overlapping 8-byte moves per filter row.
		src := ((b*p.InH+iy0)*p.InW + ix0) * c
		step := p.DilationH * p.InW * c
		for ky := range p.KH {
			s := in[src+ky*step:][:rowLen]
			o := dst[ky*rowLen:][:rowLen]
			lo := binary.LittleEndian.Uint64(s)
			hi := binary.LittleEndian.Uint64(s[rowLen-8:])
			binary.LittleEndian.PutUint64(o, lo)
			binary.LittleEndian.PutUint64(o[rowLen-8:], hi)
		}
		return
	}
	d := 0
	for ky := 0; ky < p.KH; ky++ {
		iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
		o := dst[d:][:rowLen]
		d += rowLen
		if iy < 0 || iy >= p.InH {
			fill(o, pad)
			continue
		}
		row := in[(b*p.InH+iy)*p.InW*c:][:p.InW*c]
		if p.DilationW == 1 {
			lo, hi := max(ix0, 0), min(ix0+p.KW, p.InW)
			if lo >= hi {
				fill(o, pad)
				continue
			}
			fill(o[:(lo-ix0)*c], pad)
			copy(o[(lo-ix0)*c:][:(hi-lo)*c], row[lo*c:hi*c])
			fill(o[(hi-ix0)*c:], pad)
			continue
		}
		for kx := 0; kx < p.KW; kx++ {
			ix := ix0 + kx*p.DilationW
			ok := o[kx*c:][:c]
			if ix < 0 || ix >= p.InW {
				fill(ok, pad)
				continue
			}
			copy(ok, row[ix*c:][:c])
		}
	}
}

// im2colTile is im2colBytes for the np pixels of a tile from pc at once,
// when they lie in one output row with all their taps inside the image
// and a filter row is 8–16 bytes (3x3 over 3 channels: the first layer
// of most image models). It reports whether it did; then pc has moved
// past the tile and rows point at the panel rows. Per pixel it does only
// the moves: each filter row is two overlapping 8-byte words.
func im2colTile(p *ConvParams, in []byte, pc *pixCursor, np int, panel []byte, rowB int, rows *[convMP]uintptr) bool {
	c := p.InC
	rowLen := p.KW * c
	ix0 := pc.ox*p.StrideW - p.PadLeft
	iy0 := pc.oy*p.StrideH - p.PadTop
	ixLast := (pc.ox+np-1)*p.StrideW - p.PadLeft
	if rowLen < 8 || rowLen > 16 || p.DilationW != 1 || pc.ox+np > p.OutW || ix0 < 0 || ixLast+p.KW > p.InW ||
		iy0 < 0 || iy0+(p.KH-1)*p.DilationH >= p.InH {
		return false
	}
	src := ((pc.b*p.InH+iy0)*p.InW + ix0) * c
	sx, step := p.StrideW*c, p.DilationH*p.InW*c
	span := (np-1)*sx + rowLen // the input bytes of one filter row across the tile
	for ky := range p.KH {
		row := in[src+ky*step:][:span]
		for i := range np {
			r := row[i*sx:][:rowLen]
			o := panel[i*rowB+ky*rowLen:][:rowLen]
			binary.LittleEndian.PutUint64(o, binary.LittleEndian.Uint64(r))
			binary.LittleEndian.PutUint64(o[rowLen-8:], binary.LittleEndian.Uint64(r[rowLen-8:]))
		}
	}
	for i := range np {
		rows[i] = uintptr(unsafe.Pointer(&panel[i*rowB]))
	}
	for range np {
		pc.next(p)
	}
	return true
}

// pixCursor is an output pixel's position, stepped without divisions.
type pixCursor struct{ ox, oy, b int }

func (c *pixCursor) start(p *ConvParams, pix int) {
	t := pix / p.OutW
	c.ox, c.oy, c.b = pix%p.OutW, t%p.OutH, t/p.OutH
}

func (c *pixCursor) next(p *ConvParams) {
	c.ox++
	if c.ox == p.OutW {
		c.ox = 0
		c.oy++
		if c.oy == p.OutH {
			c.oy = 0
			c.b++
		}
	}
}
