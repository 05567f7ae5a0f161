package kernels

import "unsafe"

// The quantized GEMM packs three output channels into each int64 weight
// word, 21 bits apart: W = w0 + w1·2^21 + w2·2^42, where w = filter +
// FilterOffset. One 64-bit multiply x·W then performs three multiply-
// accumulates at once, and a sum of such products over up to laneChunk
// taps holds the three channel sums side by side without overlap, as long
// as each |sum| < 2^20. That bound holds when |x| ≤ 128 and |w| ≤ 255
// (|x·w| ≤ 32640, and 32·32640 < 2^20), which packing checks; the sums are
// then split ("decoded") and added into int32 accumulators, wrapping
// exactly as TFLite's int32 accumulator does.
//
// The inputs reach the GEMM as int8: int8 tensors as they are, uint8 ones
// shifted by −128 (x XOR 0x80), with 128·Σw folded into the per-channel
// constant, so both types share one kernel.

const (
	laneBits  = 21 // distance between the lanes of a packed weight word
	laneChunk = 32 // taps summed before the lanes are decoded
	blockCh   = 12 // output channels per wide block: 4 words × 3 lanes
	maxPackW  = 255

	// maxOutOffset bounds the output offset of the fast path, whose
	// requantization skips the int32 saturation that cannot matter then.
	maxOutOffset = 1 << 24
)

// decodeLanes splits a sum of packed products into its three lane sums.
func decodeLanes(v int64) (l0, l1, l2 int32) {
	a := v << (64 - laneBits) >> (64 - laneBits)
	v = (v - a) >> laneBits
	b := v << (64 - laneBits) >> (64 - laneBits)
	return int32(a), int32(b), int32((v - b) >> laneBits)
}

// dot4 returns Σ_k a[k]·b[k][i] for the four words i of a wide block over
// one chunk of at most laneChunk taps.
//
//go:noinline
func dot4(a []int8, b [][4]int64) (c0, c1, c2, c3 int64) {
	b = b[:len(a)]
	for k, x := range a {
		xv := int64(x)
		w := &b[k]
		c0 += xv * w[0]
		c1 += xv * w[1]
		c2 += xv * w[2]
		c3 += xv * w[3]
	}
	return c0, c1, c2, c3
}

// dot1, dot2 and dot3 are dot4 for the narrow tail block of 1, 2 or 3
// words (w holds k·words values).
//
//go:noinline
func dot1(a []int8, b []int64) (c int64) {
	b = b[:len(a)]
	for k, x := range a {
		c += int64(x) * b[k]
	}
	return c
}

//go:noinline
func dot2(a []int8, b [][2]int64) (c0, c1 int64) {
	b = b[:len(a)]
	for k, x := range a {
		xv := int64(x)
		w := &b[k]
		c0 += xv * w[0]
		c1 += xv * w[1]
	}
	return c0, c1
}

//go:noinline
func dot3(a []int8, b [][3]int64) (c0, c1, c2 int64) {
	b = b[:len(a)]
	for k, x := range a {
		xv := int64(x)
		w := &b[k]
		c0 += xv * w[0]
		c1 += xv * w[1]
		c2 += xv * w[2]
	}
	return c0, c1, c2
}

// addLanes decodes the sums of words c[0:n] into acc.
func addLanes(acc *[blockCh]int32, c *[4]int64, n int) {
	for i := range min(n, 4) {
		l0, l1, l2 := decodeLanes(c[i])
		acc[3*i] += l0
		acc[3*i+1] += l1
		acc[3*i+2] += l2
	}
}

// block4 accumulates one pixel row a (K taps) against wide block w (K
// words of 4) into acc, which holds the block's 12 channel constants on
// entry.
func block4(a []int8, w [][4]int64, acc *[blockCh]int32) {
	w = w[:len(a)]
	for len(a) > 0 {
		n := min(len(a), laneChunk)
		c0, c1, c2, c3 := dot4(a[:n], w[:n])
		a, w = a[n:], w[n:]
		l0, l1, l2 := decodeLanes(c0)
		acc[0] += l0
		acc[1] += l1
		acc[2] += l2
		l0, l1, l2 = decodeLanes(c1)
		acc[3] += l0
		acc[4] += l1
		acc[5] += l2
		l0, l1, l2 = decodeLanes(c2)
		acc[6] += l0
		acc[7] += l1
		acc[8] += l2
		l0, l1, l2 = decodeLanes(c3)
		acc[9] += l0
		acc[10] += l1
		acc[11] += l2
	}
}

// blockTail is block4 for the tail block of words (1..4) words: w holds
// K·words values, word-major within each tap.
func blockTail(a []int8, w []int64, words int, acc *[blockCh]int32) {
	w = w[:len(a)*words]
	for len(a) > 0 {
		n := min(len(a), laneChunk)
		var c [4]int64
		switch words {
		case 1:
			c[0] = dot1(a[:n], w[:n])
		case 2:
			c[0], c[1] = dot2(a[:n], asWords2(w[:2*n]))
		case 3:
			c[0], c[1], c[2] = dot3(a[:n], asWords3(w[:3*n]))
		default:
			c[0], c[1], c[2], c[3] = dot4(a[:n], asWords4(w[:4*n]))
		}
		a, w = a[n:], w[n*words:]
		addLanes(acc, &c, words)
	}
}

// asWords2 and asWords3 view a tail block's words tap by tap.
func asWords2(w []int64) [][2]int64 {
	return unsafe.Slice((*[2]int64)(unsafe.Pointer(unsafe.SliceData(w))), len(w)/2)
}

func asWords3(w []int64) [][3]int64 {
	return unsafe.Slice((*[3]int64)(unsafe.Pointer(unsafe.SliceData(w))), len(w)/3)
}

func asWords4(w []int64) [][4]int64 {
	return unsafe.Slice((*[4]int64)(unsafe.Pointer(unsafe.SliceData(w))), len(w)/4)
}
