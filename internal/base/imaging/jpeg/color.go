package jpeg

// libjpeg's YCbCr → RGB tables (jdcolor.c build_ycc_rgb_table, SCALEBITS
// 16). Pillow's libjpeg-turbo uses SIMD code on x86-64 that gives the same
// bytes.
var (
	crR [256]int32 // Cr contribution to R
	cbB [256]int32 // Cb contribution to B
	crG [256]int32 // Cr contribution to G, scaled by 2^16
	cbG [256]int32 // Cb contribution to G, scaled by 2^16, with rounding
)

// clampTab maps v+clampOff to v clamped to 0..255 for the range the
// colour conversion can produce.
const clampOff = 384

var clampTab [1024]uint8

func init() {
	const scale = 16
	fix := func(x float64) int32 { return int32(x*(1<<scale) + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (fix(1.40200)*x + 1<<(scale-1)) >> scale
		cbB[i] = (fix(1.77200)*x + 1<<(scale-1)) >> scale
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + 1<<(scale-1)
	}
	for i := range clampTab {
		clampTab[i] = uint8(min(max(i-clampOff, 0), 255))
	}
}

// yccRow converts one row of full-size Y, Cb and Cr samples to RGBA.
func yccRow(dst, y, cb, cr []byte) {
	n := len(dst) / 4
	dst = dst[:4*n]
	y, cb, cr = y[:n], cb[:n], cr[:n]
	for i := range n {
		yy := int32(y[i]) + clampOff
		b, r := cb[i], cr[i]
		// The sums stay within 0..1023 for every input, so the masks only
		// spare the bounds checks.
		dst[4*i] = clampTab[(yy+crR[r])&1023]
		dst[4*i+1] = clampTab[(yy+(cbG[b]+crG[r])>>16)&1023]
		dst[4*i+2] = clampTab[(yy+cbB[b])&1023]
		dst[4*i+3] = 0xFF
	}
}

// rgbRow copies one row of full-size R, G and B samples to RGBA.
func rgbRow(dst, r, g, b []byte) {
	n := len(dst) / 4
	r, g, b = r[:n], g[:n], b[:n]
	for i := range n {
		d := dst[i*4 : i*4+4 : i*4+4]
		d[0], d[1], d[2], d[3] = r[i], g[i], b[i], 0xFF
	}
}
