package kernels

// Vectorized requantization for the SIMD paths (requant_amd64.s). The
// parameters of 8 consecutive output channels form a group of rqVecs
// vectors of 8 int32 (rqCst … rqOff below); the assembly computes, per
// channel, exactly what requantRef / requantHalfUp and the clamp in
// storeBlock compute:
//
//   - the doubling high multiply (ab + 2^30) >> 31 fits int32 for m ≥ 0,
//     so its low 32 bits are taken from the 64-bit product;
//   - the final rounding shift is TFLite's RoundingDivideByPOT,
//     (h >> r) + ((h & mask) > threshold), with threshold mask>>1 plus 1
//     for negative h in the reference rounding (ties away from zero) and
//     mask>>1 for half-up (ties up); this never overflows int32;
//   - clamping to [actMin−off, actMax−off] before adding the output
//     offset equals adding it first and clamping to [actMin, actMax].
//
// Half-up rounding with a left shift multiplies in 64 bits beyond int32
// (requantHalfUp); filters with such a channel keep the Go storeBlock.

const (
	rqCst = iota // per-channel constant added to the sums
	rqLeft
	rqM
	rqRight
	rqMask
	rqHalf // mask >> 1
	rqIsRef
	rqLo
	rqHi
	rqOff
	rqVecs
)

// packRequant fills dst (grown as needed) with the parameter groups of
// channels [0, n) for vectors of lanes (8 for AVX2, 16 for AVX-512)
// int32, n padded up to a multiple of lanes with inert channels, and
// reports whether the vector requantization is exact for all of them.
func packRequant(dst []int32, n, lanes int, cst []int32, cq []chanQuant, halfUp bool, outOff, actMin, actMax int32) ([]int32, bool) {
	groups := (n + lanes - 1) / lanes
	size := rqVecs * lanes
	dst = grow(dst, groups*size)
	clear(dst)
	ok := true
	for c := range n {
		g, l := c/lanes, c%lanes
		v := dst[g*size:][:size]
		q := &cq[c]
		if halfUp && q.left != 0 {
			ok = false
		}
		mask := int32(uint32(1)<<q.right - 1)
		if cst != nil {
			v[rqCst*lanes+l] = cst[c]
		}
		v[rqLeft*lanes+l] = int32(q.left)
		v[rqM*lanes+l] = int32(q.m)
		v[rqRight*lanes+l] = int32(q.right)
		v[rqMask*lanes+l] = mask
		v[rqHalf*lanes+l] = mask >> 1
		if !halfUp {
			v[rqIsRef*lanes+l] = -1
		}
		v[rqLo*lanes+l] = actMin - outOff
		v[rqHi*lanes+l] = actMax - outOff
		v[rqOff*lanes+l] = outOff
	}
	return dst, ok
}
