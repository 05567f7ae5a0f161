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

// clampSample turns a level-shifted IDCT output into a sample. libjpeg's C
// code wraps values beyond ±512 through its range-limit table; the SIMD
// code that Pillow's libjpeg-turbo runs on x86-64 and Arm saturates, and so
// does this.
func clampSample(v int32) byte {
	v += 128
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// idctIslow dequantises one block and writes its 8×8 samples to dst with
// the given stride: libjpeg's jpeg_idct_islow (Loeffler, Ligtenberg and
// Moschytz with 12 multiplies), bit for bit.
func idctIslow(blk *[64]int16, q *[64]int32, dst []byte, stride int) {
	var ws [64]int32
	// Pass 1: columns, results scaled up by 2^PASS1_BITS (4).
	for c := 0; c < 8; c++ {
		if blk[8+c] == 0 && blk[16+c] == 0 && blk[24+c] == 0 && blk[32+c] == 0 &&
			blk[40+c] == 0 && blk[48+c] == 0 && blk[56+c] == 0 {
			dc := int32(blk[c]) * q[c] << 2
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		z2 := int32(blk[16+c]) * q[16+c]
		z3 := int32(blk[48+c]) * q[48+c]
		z1 := (z2 + z3) * fix0541196100
		tmp2 := z1 - z3*fix1847759065
		tmp3 := z1 + z2*fix0765366865
		z2 = int32(blk[c]) * q[c]
		z3 = int32(blk[32+c]) * q[32+c]
		tmp0 := (z2 + z3) << 13
		tmp1 := (z2 - z3) << 13
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		o3 := int32(blk[8+c]) * q[8+c]
		o2 := int32(blk[24+c]) * q[24+c]
		o1 := int32(blk[40+c]) * q[40+c]
		o0 := int32(blk[56+c]) * q[56+c]
		z4 := o1 + o3
		z3 = o0 + o2
		z2 = o1 + o2
		z1 = o0 + o3
		z5 := (z3 + z4) * fix1175875602
		o3 *= fix1501321110
		o2 *= fix3072711026
		o1 *= fix2053119869
		o0 *= fix0298631336
		z4 = z5 - z4*fix0390180644
		z3 = z5 - z3*fix1961570560
		z1 *= -fix0899976223
		z2 *= -fix2562915447
		o3 += z1 + z4
		o2 += z2 + z3
		o1 += z2 + z4
		o0 += z1 + z3

		const r = 1 << 10
		ws[c] = (tmp10 + o3 + r) >> 11
		ws[56+c] = (tmp10 - o3 + r) >> 11
		ws[8+c] = (tmp11 + o2 + r) >> 11
		ws[48+c] = (tmp11 - o2 + r) >> 11
		ws[16+c] = (tmp12 + o1 + r) >> 11
		ws[40+c] = (tmp12 - o1 + r) >> 11
		ws[24+c] = (tmp13 + o0 + r) >> 11
		ws[32+c] = (tmp13 - o0 + r) >> 11
	}
	// Pass 2: rows, descaled by 2^(CONST_BITS+PASS1_BITS+3).
	for row := 0; row < 8; row++ {
		w := (*[8]int32)(ws[row*8 : row*8+8])
		out := (*[8]byte)(dst[row*stride : row*stride+8])
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			v := clampSample((w[0] + 16) >> 5)
			*out = [8]byte{v, v, v, v, v, v, v, v}
			continue
		}
		z2 := w[2]
		z3 := w[6]
		z1 := (z2 + z3) * fix0541196100
		tmp0 := (w[0] + w[4]) << 13
		tmp3 := z1 + z2*fix0765366865
		tmp1 := (w[0] - w[4]) << 13
		tmp2 := z1 - z3*fix1847759065
		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

		o3, o2, o1, o0 := w[1], w[3], w[5], w[7]
		z4 := o1 + o3
		z3 = o0 + o2
		z2 = o1 + o2
		z1 = o0 + o3
		z5 := (z3 + z4) * fix1175875602
		o3 *= fix1501321110
		o2 *= fix3072711026
		o1 *= fix2053119869
		o0 *= fix0298631336
		z4 = z5 - z4*fix0390180644
		z3 = z5 - z3*fix1961570560
		z2 *= -fix2562915447
		z1 *= -fix0899976223
		o3 += z1 + z4
		o2 += z2 + z3
		o1 += z2 + z4
		o0 += z1 + z3

		const r = 1 << 17
		out[0] = clampSample((tmp10 + o3 + r) >> 18)
		out[7] = clampSample((tmp10 - o3 + r) >> 18)
		out[1] = clampSample((tmp11 + o2 + r) >> 18)
		out[6] = clampSample((tmp11 - o2 + r) >> 18)
		out[2] = clampSample((tmp12 + o1 + r) >> 18)
		out[5] = clampSample((tmp12 - o1 + r) >> 18)
		out[3] = clampSample((tmp13 + o0 + r) >> 18)
		out[4] = clampSample((tmp13 - o0 + r) >> 18)
	}
}
