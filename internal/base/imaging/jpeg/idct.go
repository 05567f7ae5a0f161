package jpeg

// natural maps zig-zag index to natural (row-major) index. Entries past 63
// absorb the overlong runs of corrupt data, as jpeg_natural_order does.
var natural = [80]int{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
}

// Fixed-point constants of jidctint.c (CONST_BITS 13).
const (
	fix0298631336 = 2446
	fix0390180644 = 3196
	fix0541196100 = 4433
	fix0765366865 = 6270
	fix0899976223 = 7373
	fix1175875602 = 9633
	fix1501321110 = 12299
	fix1847759065 = 15137
	fix1961570560 = 16069
	fix2053119869 = 16819
	fix2562915447 = 20995
	fix3072711026 = 25172
)

// sat16 saturates to the int16 range, as packssdw does.
func sat16(v int32) int32 {
	if uint32(v+32768) <= 65535 {
		return v
	}
	if v < 0 {
		return -32768
	}
	return 32767
}

// sample turns a pass-2 output into a sample: packssdw and packsswb
// saturate to -128..127, then 128 is added.
func sample(v int32) byte {
	v += 128
	if uint32(v) <= 255 {
		return byte(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// idctIslow dequantises one block and writes its 8×8 samples to dst with
// the given stride.
//
// It is libjpeg's accurate integer IDCT (jidctint.c: Loeffler, Ligtenberg
// and Moschytz with 12 multiplies) as libjpeg-turbo's x86-64 SIMD code
// computes it (jidctint-avx2.asm, jidctint-sse2.asm), which is what Pillow
// runs on x86-64. For every block a real encoder produces the two agree
// bit for bit; they part only where 16-bit lanes overflow, which happens
// with 16-bit quantisation tables at very low quality: the SIMD code
// dequantises with a 16-bit multiply, adds some pairs of inputs in 16
// bits, saturates each pass's output to 16 bits (and the final one to 8),
// and replaces pass 1 by a 16-bit shift of the DC row when all AC rows are
// zero. All of that is reproduced here.
func idctIslow(blk *[64]int16, q *[64]int32, dst []byte, stride int) {
	var ws [64]int32 // int16 values
	// Pass 1: columns, results scaled up by 2^PASS1_BITS (4). The body is
	// idct1D written out, as Go does not inline it.
	for c := 0; c < 8; c++ {
		i0 := int32(int16(int32(blk[c]) * q[c]))
		if blk[8+c] == 0 && blk[16+c] == 0 && blk[24+c] == 0 && blk[32+c] == 0 &&
			blk[40+c] == 0 && blk[48+c] == 0 && blk[56+c] == 0 {
			// A column of zero AC terms: the full pass gives i0*4
			// saturated; when the whole block has no AC terms the SIMD
			// code shifts in 16 bits instead, which wraps. The two agree
			// unless |i0| > 8191.
			dc := i0 * 4
			if dc < -32768 || dc > 32767 {
				if acZero(blk) {
					dc = int32(int16(dc))
				} else {
					dc = sat16(dc)
				}
			}
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		i1 := int32(int16(int32(blk[8+c]) * q[8+c]))
		i2 := int32(int16(int32(blk[16+c]) * q[16+c]))
		i3 := int32(int16(int32(blk[24+c]) * q[24+c]))
		i4 := int32(int16(int32(blk[32+c]) * q[32+c]))
		i5 := int32(int16(int32(blk[40+c]) * q[40+c]))
		i6 := int32(int16(int32(blk[48+c]) * q[48+c]))
		i7 := int32(int16(int32(blk[56+c]) * q[56+c]))

		tmp3 := i2*(fix0541196100+fix0765366865) + i6*fix0541196100
		tmp2 := i2*fix0541196100 + i6*(fix0541196100-fix1847759065)
		tmp0 := int32(int16(i0+i4)) << 13
		tmp1 := int32(int16(i0-i4)) << 13
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		z3 := int32(int16(i7 + i3))
		z4 := int32(int16(i5 + i1))
		z3, z4 = z3*(fix1175875602-fix1961570560)+z4*fix1175875602, z3*fix1175875602+z4*(fix1175875602-fix0390180644)
		t0 := i7*(fix0298631336-fix0899976223) - i1*fix0899976223 + z3
		t1 := i5*(fix2053119869-fix2562915447) - i3*fix2562915447 + z4
		t2 := -i5*fix2562915447 + i3*(fix3072711026-fix2562915447) + z3
		t3 := -i7*fix0899976223 + i1*(fix1501321110-fix0899976223) + z4

		const r = 1 << 10
		ws[c] = sat16((tmp10 + t3 + r) >> 11)
		ws[56+c] = sat16((tmp10 - t3 + r) >> 11)
		ws[8+c] = sat16((tmp11 + t2 + r) >> 11)
		ws[48+c] = sat16((tmp11 - t2 + r) >> 11)
		ws[16+c] = sat16((tmp12 + t1 + r) >> 11)
		ws[40+c] = sat16((tmp12 - t1 + r) >> 11)
		ws[24+c] = sat16((tmp13 + t0 + r) >> 11)
		ws[32+c] = sat16((tmp13 - t0 + r) >> 11)
	}
	// Pass 2: rows, descaled by 2^(CONST_BITS+PASS1_BITS+3).
	for row := 0; row < 8; row++ {
		w := (*[8]int32)(ws[row*8 : row*8+8])
		out := (*[8]byte)(dst[row*stride : row*stride+8])
		// Saturating to 16 and then 8 bits is saturating to 8 bits.
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			// What the full pass gives for a row of zero AC terms.
			v := sample((w[0] + 16) >> 5)
			*out = [8]byte{v, v, v, v, v, v, v, v}
			continue
		}
		i0, i1, i2, i3, i4, i5, i6, i7 := w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
		tmp3 := i2*(fix0541196100+fix0765366865) + i6*fix0541196100
		tmp2 := i2*fix0541196100 + i6*(fix0541196100-fix1847759065)
		tmp0 := int32(int16(i0+i4)) << 13
		tmp1 := int32(int16(i0-i4)) << 13
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		z3 := int32(int16(i7 + i3))
		z4 := int32(int16(i5 + i1))
		z3, z4 = z3*(fix1175875602-fix1961570560)+z4*fix1175875602, z3*fix1175875602+z4*(fix1175875602-fix0390180644)
		t0 := i7*(fix0298631336-fix0899976223) - i1*fix0899976223 + z3
		t1 := i5*(fix2053119869-fix2562915447) - i3*fix2562915447 + z4
		t2 := -i5*fix2562915447 + i3*(fix3072711026-fix2562915447) + z3
		t3 := -i7*fix0899976223 + i1*(fix1501321110-fix0899976223) + z4

		const r = 1 << 17
		out[0] = sample((tmp10 + t3 + r) >> 18)
		out[7] = sample((tmp10 - t3 + r) >> 18)
		out[1] = sample((tmp11 + t2 + r) >> 18)
		out[6] = sample((tmp11 - t2 + r) >> 18)
		out[2] = sample((tmp12 + t1 + r) >> 18)
		out[5] = sample((tmp12 - t1 + r) >> 18)
		out[3] = sample((tmp13 + t0 + r) >> 18)
		out[4] = sample((tmp13 - t0 + r) >> 18)
	}
}

// idct1D is one 8-point pass (idctIslow has it written out twice; the
// tests check the two against each other) of the SIMD islow IDCT on int16 inputs i0..i7
// (as int32), descaled by shift and saturated to int16. The products are
// the pmaddwd pairs of the SIMD code, exact in 32 bits; in0±in4 and the
// odd-part sums in7+in3 and in5+in1 wrap in 16 bits as vpaddw does.
func idct1D(i0, i1, i2, i3, i4, i5, i6, i7 int32, shift uint) (o0, o1, o2, o3, o4, o5, o6, o7 int32) {
	// Even part.
	tmp3 := i2*(fix0541196100+fix0765366865) + i6*fix0541196100
	tmp2 := i2*fix0541196100 + i6*(fix0541196100-fix1847759065)
	tmp0 := int32(int16(i0+i4)) << 13
	tmp1 := int32(int16(i0-i4)) << 13
	tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
	tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

	// Odd part.
	z3 := int32(int16(i7 + i3))
	z4 := int32(int16(i5 + i1))
	z3, z4 = z3*(fix1175875602-fix1961570560)+z4*fix1175875602, z3*fix1175875602+z4*(fix1175875602-fix0390180644)
	t0 := i7*(fix0298631336-fix0899976223) - i1*fix0899976223 + z3
	t1 := i5*(fix2053119869-fix2562915447) - i3*fix2562915447 + z4
	t2 := -i5*fix2562915447 + i3*(fix3072711026-fix2562915447) + z3
	t3 := -i7*fix0899976223 + i1*(fix1501321110-fix0899976223) + z4

	r := int32(1) << (shift - 1)
	o0 = sat16((tmp10 + t3 + r) >> shift)
	o7 = sat16((tmp10 - t3 + r) >> shift)
	o1 = sat16((tmp11 + t2 + r) >> shift)
	o6 = sat16((tmp11 - t2 + r) >> shift)
	o2 = sat16((tmp12 + t1 + r) >> shift)
	o5 = sat16((tmp12 - t1 + r) >> shift)
	o3 = sat16((tmp13 + t0 + r) >> shift)
	o4 = sat16((tmp13 - t0 + r) >> shift)
	return
}

// acZero reports whether coefficient rows 1..7 are all zero, the SIMD
// code's test for its DC-only pass 1.
func acZero(blk *[64]int16) bool {
	for _, v := range blk[8:] {
		if v != 0 {
			return false
		}
	}
	return true
}
