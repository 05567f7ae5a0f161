package jpeg

// bitReader reads entropy-coded data MSB first, removing stuffed zero
// bytes. At a marker, or at the end of the data, it supplies zero bits as
// libjpeg does (jdhuff.c, jpeg_fill_bit_buffer) and remembers that it did,
// so the caller can tell a scan cut short from a complete one.
type bitReader struct {
	data []byte
	pos  int    // next byte of data to read
	acc  uint64 // bits, most significant first
	n    uint   // valid bits in acc, padding included
	pad  uint   // zero bits of padding appended at the end of acc
	// atMarker is set when the reader stopped before a marker at data[pos];
	// atEOF when the data ran out.
	atMarker, atEOF bool
}

// fill tops acc up to at least 57 bits.
func (b *bitReader) fill() {
	for b.n <= 56 {
		if b.atMarker || b.atEOF {
			b.n += 32
			b.pad += 32
			continue
		}
		if b.pos >= len(b.data) {
			b.atEOF = true
			continue
		}
		c := b.data[b.pos]
		if c == 0xFF {
			// Skip fill bytes; FF 00 is a data FF, anything else a marker.
			p := b.pos + 1
			for p < len(b.data) && b.data[p] == 0xFF {
				p++
			}
			if p >= len(b.data) {
				b.atEOF = true
				continue
			}
			if b.data[p] != 0 {
				b.pos = p - 1
				b.atMarker = true
				continue
			}
			b.pos = p + 1
		} else {
			b.pos++
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

// overrun reports whether decoding used padding bits.
func (b *bitReader) overrun() bool { return b.n < b.pad }

// bits returns the next n (≤ 16) bits.
func (b *bitReader) bits(n uint) int32 {
	if b.n < n {
		b.fill()
	}
	v := int32(b.acc >> (64 - n))
	b.acc <<= n
	b.n -= n
	return v
}

// bit returns the next bit.
func (b *bitReader) bit() bool {
	if b.n < 1 {
		b.fill()
	}
	v := b.acc>>63 != 0
	b.acc <<= 1
	b.n--
	return v
}

// receiveExtend reads an s-bit (1..15) magnitude and sign-extends it
// (HUFF_EXTEND).
func (b *bitReader) receiveExtend(s uint) int32 {
	if b.n < s {
		b.fill()
	}
	v := int32(b.acc >> (64 - s))
	b.acc <<= s
	b.n -= s
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// decode reads one Huffman-coded symbol. A bit pattern that is no code of
// the table decodes as libjpeg's does (jpeg_huff_decode): 17 bits are
// consumed and the symbol is 0, so decoding carries on as Pillow's does.
func (b *bitReader) decode(t *huffTable) uint8 {
	if b.n < 17 {
		b.fill()
	}
	if e := t.fast[b.acc>>(64-lookBits)]; e != 0 {
		l := uint(e >> 8)
		b.acc <<= l
		b.n -= l
		return uint8(e)
	}
	for l := uint(lookBits + 1); l <= 16; l++ {
		code := int32(b.acc >> (64 - l))
		if code <= t.maxCode[l] {
			b.acc <<= l
			b.n -= l
			return t.vals[(code+t.valOff[l])&0xFF]
		}
	}
	b.acc <<= 17
	b.n -= 17
	return 0
}

// reset discards buffered bits (at a restart marker, or a new scan) and
// restarts reading at data[pos].
func (b *bitReader) reset(pos int) {
	*b = bitReader{data: b.data, pos: pos}
}
