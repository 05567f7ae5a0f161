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

// rqGroup is the number of int32 values of one group of 8 channels.
const rqGroup = rqVecs * 8

// packRequant fills dst (grown as needed) with the parameter groups of
// channels [0, n), n padded up to a multiple of 8 with inert channels, and
// reports whether the vector requantization is exact for all of them.
func packRequant(dst []int32, n int, cst []int32, cq []chanQuant, halfUp bool, outOff, actMin, actMax int32) ([]int32, bool) {
	groups := (n + 7) / 8
	dst = grow(dst, groups*rqGroup)
	clear(dst)
	ok := true
	for c := range n {
		g, l := c/8, c%8
		v := dst[g*rqGroup:][:rqGroup]
		q := &cq[c]
		if halfUp && q.left != 0 {
			ok = false
		}
		mask := int32(uint32(1)<<q.right - 1)
		if cst != nil {
			v[rqCst*8+l] = cst[c]
		}
		v[rqLeft*8+l] = int32(q.left)
		v[rqM*8+l] = int32(q.m)
		v[rqRight*8+l] = int32(q.right)
		v[rqMask*8+l] = mask
		v[rqHalf*8+l] = mask >> 1
		if !halfUp {
			v[rqIsRef*8+l] = -1
		}
		v[rqLo*8+l] = actMin - outOff
		v[rqHi*8+l] = actMax - outOff
		v[rqOff*8+l] = outOff
	}
	return dst, ok
}
