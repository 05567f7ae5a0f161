package kernels

import "encoding/binary"

// SWAR ("SIMD within a register") loops for 8-bit data: plain Go that
// works on eight bytes per 64-bit word, for the element-wise operators
// that have no assembly on any path.

const (
	lanesLow7 = 0x7f7f7f7f7f7f7f7f
	lanesHigh = 0x8080808080808080
	lanes16Lo = 0x00ff00ff00ff00ff
)

// addBytes sets out[i] = in[i] + c (mod 256) for every byte.
func addBytes(in, out []byte, c byte) {
	out = out[:len(in)]
	cc := uint64(c) * 0x0101010101010101
	i := 0
	for ; i+8 <= len(in); i += 8 {
		x := binary.LittleEndian.Uint64(in[i:])
		// Add the low seven bits of each byte without carries between
		// bytes, then set each top bit to the sum's: x7 ⊕ c7 ⊕ carry.
		s := (x & lanesLow7) + (cc & lanesLow7)
		binary.LittleEndian.PutUint64(out[i:], s^((x^cc)&lanesHigh))
	}
	for ; i < len(in); i++ {
		out[i] = in[i] + c
	}
}

// byteOffset reports whether table maps every byte b to b + c (mod 256)
// for one c, and that c.
func byteOffset(table *[256]byte) (byte, bool) {
	c := table[0]
	for b := range 256 {
		if table[b] != byte(b)+c {
			return 0, false
		}
	}
	return c, true
}

// sumChannels sets acc[c] to the sum over pixels of img[pixel·channels+c]
// for bytes read as uint8, or as int8 when signed. It adds eight channels
// per word in 16-bit lanes (even and odd channels apart), 256 pixels at a
// time so that no lane overflows (256·255 < 2^16), then widens into acc.
func sumChannels(img []byte, pixels, channels int, signed bool, acc []int32) {
	acc = acc[:channels]
	img = img[:pixels*channels]
	clear(acc)
	flip := uint64(0)
	if signed {
		flip = lanesHigh // v ^ 0x80 = v + 128 as uint8
	}
	words := channels / 8
	for c0 := 0; c0 < words*8; c0 += 64 {
		nw := min(8, words-c0/8)
		for p0 := 0; p0 < pixels; p0 += 256 {
			var even, odd [8]uint64
			for px := p0; px < min(p0+256, pixels); px++ {
				row := img[px*channels+c0:][:nw*8]
				for w := range nw {
					x := binary.LittleEndian.Uint64(row[w*8:]) ^ flip
					even[w] += x & lanes16Lo
					odd[w] += (x >> 8) & lanes16Lo
				}
			}
			for w := range nw {
				a := acc[c0+w*8:][:8]
				for l := range 4 {
					a[2*l] += int32(even[w] >> (16 * l) & 0xffff)
					a[2*l+1] += int32(odd[w] >> (16 * l) & 0xffff)
				}
			}
		}
	}
	if signed {
		for c := range words * 8 {
			acc[c] -= int32(128 * pixels)
		}
	}
	for c := words * 8; c < channels; c++ {
		var s int32
		for px := range pixels {
			v := int32(img[px*channels+c])
			if signed {
				v = int32(int8(img[px*channels+c]))
			}
			s += v
		}
		acc[c] = s
	}
}
