package kernels

import (
	"encoding/binary"
	"unsafe"
)

// convMP is the number of output pixels whose im2col rows are gathered
// together: each block of packed weights is then reused convMP times
// while it is in L1.
const convMP = 8

// convPixels returns the number of output pixels of p.
func convPixels(p *ConvParams) int { return p.N * p.OutH * p.OutW }

// convDirect reports whether a pixel's im2col row is a plain run of the
// input (1x1 filter, no padding), so the GEMM can read it in place.
func convDirect(p *ConvParams) bool {
	return p.KH == 1 && p.KW == 1 && p.PadTop == 0 && p.PadLeft == 0 &&
		(p.OutH-1)*p.StrideH < p.InH && (p.OutW-1)*p.StrideW < p.InW
}

// inputOffset returns the offset of the first input element of output
// pixel pix's single tap, for direct convolutions.
func directOffset(p *ConvParams, pix int) int {
	ox := pix % p.OutW
	t := pix / p.OutW
	oy, b := t%p.OutH, t/p.OutH
	return ((b*p.InH+oy*p.StrideH)*p.InW + ox*p.StrideW) * p.InC
}

// im2colRow writes the KH·KW·InC taps of output pixel pix to dst, XORing
// each input byte with flip and writing pad for taps outside the image.
func im2colRow(p *ConvParams, in []int8, pix int, flip uint8, pad int8, dst []int8) {
	ox := pix % p.OutW
	t := pix / p.OutW
	oy, b := t%p.OutH, t/p.OutH
	if rowLen := p.KW * p.InC; rowLen >= 8 && rowLen <= 16 && p.DilationW == 1 {
		ix0, iy0 := ox*p.StrideW-p.PadLeft, oy*p.StrideH-p.PadTop
		if ix0 >= 0 && ix0+p.KW <= p.InW && iy0 >= 0 && iy0+(p.KH-1)*p.DilationH < p.InH {
			// All taps inside and a filter row of 8–16 bytes (e.g. 3x3
			// over 3 channels): two overlapping 8-byte moves per row.
			x := uint64(flip) * 0x0101010101010101
			src := ((b*p.InH+iy0)*p.InW + ix0) * p.InC
			step := p.DilationH * p.InW * p.InC
			ib, db := bytesOf(in), bytesOf(dst)
			for ky := range p.KH {
				s := ib[src+ky*step:][:rowLen]
				o := db[ky*rowLen:][:rowLen]
				lo := binary.LittleEndian.Uint64(s) ^ x
				hi := binary.LittleEndian.Uint64(s[rowLen-8:]) ^ x
				binary.LittleEndian.PutUint64(o, lo)
				binary.LittleEndian.PutUint64(o[rowLen-8:], hi)
			}
			return
		}
	}
	d := 0
	for ky := 0; ky < p.KH; ky++ {
		iy := oy*p.StrideH - p.PadTop + ky*p.DilationH
		if iy < 0 || iy >= p.InH {
			fill(dst[d:d+p.KW*p.InC], pad)
			d += p.KW * p.InC
			continue
		}
		row := (b*p.InH + iy) * p.InW
		for kx := 0; kx < p.KW; kx++ {
			ix := ox*p.StrideW - p.PadLeft + kx*p.DilationW
			o := dst[d : d+p.InC]
			d += p.InC
			if ix < 0 || ix >= p.InW {
				fill(o, pad)
				continue
			}
			src := in[(row+ix)*p.InC:][:len(o)]
			if flip == 0 {
				copy(o, src)
				continue
			}
			flipCopy(o, src)
		}
	}
}

// flipCopy copies src to dst, flipping the top bit of every byte (uint8
// x → int8 x − 128), eight bytes at a time.
func flipCopy(dst, src []int8) {
	d, s := bytesOf(dst), bytesOf(src)
	s = s[:len(d)]
	const top = 0x8080808080808080
	i := 0
	for ; i+8 <= len(d); i += 8 {
		binary.LittleEndian.PutUint64(d[i:], binary.LittleEndian.Uint64(s[i:])^top)
	}
	for ; i < len(d); i++ {
		d[i] = s[i] ^ 0x80
	}
}

// bytesOf views 8-bit values as bytes.
func bytesOf[T int8like](b []T) []byte {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), len(b))
}

func fill[E any](s []E, v E) {
	for i := range s {
		s[i] = v
	}
}

// prepareConvQuant sets up j to run a quantized CONV_2D (or FC) on the
// fast path with pf and returns the number of work units.
func prepareConvQuant(j *kernelJob, p *ConvParams, pf *PackedFilter, workers int) int {
	if pf.path != PathGeneric {
		return prepareConvSIMD(j, p, pf, workers)
	}
	j.fn, j.p, j.pf = convQuantFast, p, pf
	k := p.KH * p.KW * p.InC
	j.direct = pf.flip == 0 && convDirect(p)
	if !j.direct {
		j.panelLen = convMP * k
		j.panels8 = j.s.int8Panels(workers, j.panelLen)
	}
	groups := (convPixels(p) + convMP - 1) / convMP
	j.split = 1
	if groups < 2*workers {
		// Too few pixels to keep every worker busy (late layers, FC with
		// batch 1): split the channel blocks as well.
		j.split = max(1, min(workers, pf.blocks()))
	}
	return groups * j.split
}

// convQuantFast computes work units [lo, hi): unit u is pixel group
// u/split, channel-block part u%split.
func convQuantFast(j *kernelJob, w, lo, hi int) {
	p, pf := j.p, j.pf
	k := pf.k
	pixels := convPixels(p)
	var panel []int8
	if !j.direct {
		panel = j.panels8[w*j.panelLen:][:j.panelLen]
	}
	var rows [convMP][]int8
	nb := pf.blocks()
	for u := lo; u < hi; u++ {
		g, part := u/j.split, u%j.split
		p0 := g * convMP
		np := min(convMP, pixels-p0)
		for i := range np {
			if j.direct {
				rows[i] = j.inI8[directOffset(p, p0+i):][:k]
			} else {
				rows[i] = panel[i*k:][:k]
				im2colRow(p, j.inI8, p0+i, pf.flip, pf.padX, rows[i])
			}
		}
		for b := nb * part / j.split; b < nb*(part+1)/j.split; b++ {
			ch, n := pf.blockRange(b)
			if b < pf.nb4 {
				wb := pf.w4[b*k:][:k]
				for i := range np {
					var acc [blockCh]int32
					copy(acc[:], pf.cst[ch:ch+blockCh])
					block4(rows[i], wb, &acc)
					storeBlock(pf, acc[:], ch, j.outI8[(p0+i)*pf.outC+ch:][:n])
				}
				continue
			}
			for i := range np {
				var acc [blockCh]int32
				copy(acc[:n], pf.cst[ch:ch+n])
				blockTail(rows[i], pf.wt, pf.tw, &acc)
				storeBlock(pf, acc[:n], ch, j.outI8[(p0+i)*pf.outC+ch:][:n])
			}
		}
	}
}
