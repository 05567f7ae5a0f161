package kernels

// PackedFilter is a CONV_2D or FULLY_CONNECTED filter rearranged for the
// fast kernels, with everything per output channel that the kernels would
// otherwise recompute on every call (bias plus offset sums, the split
// multipliers). Build it once at prepare time with PackConvInt8,
// PackConvUint8 or PackConvFloat32 and pass it to the ...Packed kernels;
// it is read-only afterwards and may be shared by concurrent calls.
type PackedFilter struct {
	k, outC int // taps per output channel (KH·KW·InC) and output channels

	// Quantized filters.
	fast     bool               // the packed GEMM is exact for these parameters
	flip     uint8              // XORed into input bytes: 0x80 for uint8, 0 for int8
	padX     int8               // the (flipped) value of a tap outside the image
	nb4      int                // wide (12-channel) blocks
	tw       int                // words of the tail block (0 when outC is a multiple of 12)
	w4       [][4]int64         // nb4 blocks of k words of 4
	wt       []int64            // the tail block: k taps of tw words
	cst      []int32            // per channel: bias + input offset · Σ weights
	cq       []chanQuant        // per channel multipliers
	outOff   int32              // output offset
	actMin   int32              // activation range
	actMax   int32              // activation range
	halfUp   bool               // MultiplyByQuantizedMultiplierHalfUp rounding
	path     Path               // kernel path the quantized weights are packed for
	mr, nr   int                // SIMD paths: pixels and channels of a micro-kernel tile
	kp       int                // SIMD paths: tap pairs per channel, ceil(k/2)
	w16      []int16            // SIMD paths: blocks of [kp][nr][2]int16 (see gemm16.go)
	rq       []int32            // SIMD paths: requantization groups per block (see requant_simd.go)
	w8       []int8             // VNNI path: blocks of [k4][nr][4]int8 for VPDPBUSD (see packBytes)
	cst8     []int32            // VNNI path: cst − 128·Σ ws per channel
	d8       int32              // VNNI path: w − ws, the same for every weight
	k4       int                // VNNI path: groups of 4 taps, ceil(k/4)
	vecRQ    bool               // SIMD paths: rq is exact for every channel
	rq64     []int32            // VNNI path: fused-kernel requantization per block (see gemm_rq.go), empty if not exact
	signedX  bool               // VNNI path, fused: int8 input is the signed operand, w8 holds filter + 128
	q        *QuantParams       // for the reference fallback
	filterI8 []int8             // for the reference fallback (int8)
	filterU8 []uint8            // for the reference fallback (uint8)
	bias     []int32            // for the reference fallback
	wf       [][floatNR]float32 // float: ceil(outC/floatNR) blocks of k rows
	biasF    []float32          // float: bias padded to a whole block, zeros if none
}

// blocks returns the number of channel blocks of a quantized filter.
func (pf *PackedFilter) blocks() int {
	if pf.tw > 0 {
		return pf.nb4 + 1
	}
	return pf.nb4
}

// blockRange returns the first channel and channel count of block b.
func (pf *PackedFilter) blockRange(b int) (ch, n int) {
	if b < pf.nb4 {
		return b * blockCh, blockCh
	}
	ch = pf.nb4 * blockCh
	return ch, pf.outC - ch
}

// PackConvInt8 packs an int8 OHWI filter [outC, KH, KW, InC] (or FC
// weights [outC, inDepth], with k = inDepth) with its bias (nil = zeros)
// and quantization for ConvInt8Packed / FullyConnectedInt8Packed. k is
// KH·KW·InC.
func PackConvInt8(outC, k int, filter []int8, bias []int32, q *QuantParams) *PackedFilter {
	pf := &PackedFilter{}
	packQuant(pf, outC, k, filter, bias, q, 0)
	pf.filterI8 = filter
	return pf
}

// PackConvUint8 is PackConvInt8 for uint8 filters and inputs.
func PackConvUint8(outC, k int, filter []uint8, bias []int32, q *QuantParams) *PackedFilter {
	pf := &PackedFilter{}
	packQuant(pf, outC, k, filter, bias, q, 0x80)
	pf.filterU8 = filter
	return pf
}

// grow returns s resliced to n elements, reallocating only when its
// capacity is too small.
func grow[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

// packQuant fills pf for a quantized filter for the active kernel path,
// reusing pf's buffers.
func packQuant[T quantElem](pf *PackedFilter, outC, k int, filter []T, bias []int32, q *QuantParams, flip uint8) {
	packQuantPath(pf, outC, k, filter, bias, q, flip, Active())
}

// packQuantPath is packQuant for kernel path path. Callers that use the
// generic blocks directly (the hybrid kernels) pack for PathGeneric.
func packQuantPath[T quantElem](pf *PackedFilter, outC, k int, filter []T, bias []int32, q *QuantParams, flip uint8, path Path) {
	pf.k, pf.outC, pf.flip, pf.q, pf.bias = k, outC, flip, q, bias
	pf.outOff, pf.actMin, pf.actMax, pf.halfUp = q.OutputOffset, q.ActMin, q.ActMax, q.HalfUp
	// The shifted input is x' = x XOR flip = x − 128·(flip ≠ 0), so
	// (x + io) = (x' + io'), io' = io + 128·(flip ≠ 0).
	io := q.InputOffset
	if flip != 0 {
		io += 128
	}
	// A tap outside the image must behave as the input zero point −io,
	// i.e. x' = −io' ; it must fit in int8.
	pf.fast = io >= -127 && io <= 128 && q.OutputOffset >= -maxOutOffset && q.OutputOffset <= maxOutOffset
	pf.padX = int8(-io)
	pf.nb4 = outC / blockCh
	pf.tw = (outC - pf.nb4*blockCh + 2) / 3
	pf.path = PathGeneric
	pf.cst = grow(pf.cst, outC)
	pf.cq = grow(pf.cq, outC)
	for oc := range outC {
		i := 0
		if len(q.Multiplier) > 1 {
			i = oc
		}
		m, s := q.Multiplier[i], q.Shift[i]
		pf.cq[oc] = newChanQuant(m, s)
		if m < 0 || s > 30 || s < -31 {
			pf.fast = false
		}
		var sum int32
		if bias != nil {
			sum = bias[oc]
		}
		w := filter[oc*k:][:k]
		for _, v := range w {
			wv := int32(v) + q.FilterOffset
			if wv > maxPackW || wv < -maxPackW {
				pf.fast = false
			}
			sum += io * wv
		}
		pf.cst[oc] = sum
	}
	if !pf.fast {
		return
	}
	pf.path = path
	if pf.path != PathGeneric {
		pf.w4, pf.wt = pf.w4[:0], pf.wt[:0]
		packSIMD(pf, filter, q.FilterOffset)
		return
	}
	pf.w4 = grow(pf.w4, pf.nb4*k)
	pf.wt = grow(pf.wt, pf.tw*k)
	for b := range pf.blocks() {
		ch, n := pf.blockRange(b)
		for t := range k {
			var words [4]int64
			for c := range n {
				wv := int64(int32(filter[(ch+c)*k+t]) + q.FilterOffset)
				words[c/3] += wv << (laneBits * (c % 3))
			}
			if b < pf.nb4 {
				pf.w4[b*k+t] = words
			} else {
				copy(pf.wt[t*pf.tw:][:pf.tw], words[:])
			}
		}
	}
}

// chanQuant is one output channel's multiplier in the form the inner
// requantization loop wants it.
type chanQuant struct {
	m           int64 // Q31 multiplier
	half        int64 // 2^(right−1), or 0 when right = 0
	negAdj      int64 // −1 when right > 0 (ties of negatives round down), else 0
	left, right uint8 // shifts
}

func newChanQuant(m int32, shift int) chanQuant {
	c := chanQuant{m: int64(m), left: uint8(max(shift, 0)), right: uint8(max(-shift, 0))}
	if c.right > 0 {
		c.half, c.negAdj = int64(1)<<(c.right-1), -1
	}
	return c
}

// storeBlock requantizes the accumulators of the len(out) channels
// starting at ch and writes them to out.
func storeBlock(pf *PackedFilter, acc []int32, ch int, out []int8) {
	acc = acc[:len(out)]
	cq := pf.cq[ch:][:len(out)]
	lo, hi, off := int64(pf.actMin), int64(pf.actMax), int64(pf.outOff)
	if pf.halfUp {
		for i, a := range acc {
			v := requantHalfUp(a, &cq[i]) + off
			out[i] = int8(min(max(v, lo), hi))
		}
		return
	}
	for i, a := range acc {
		v := requantRef(a, &cq[i]) + off
		out[i] = int8(min(max(v, lo), hi))
	}
}

// requantRef is MultiplyByQuantizedMultiplier for m ≥ 0, branch-free. The
// rounding doubling high multiply with its sign-dependent nudge and
// truncating division reduces to (ab + 2^30) >> 31 for every ab (the
// nudge and the truncation compensate exactly); the rounding right shift
// rounds ties away from zero, i.e. negative ties down.
func requantRef(acc int32, c *chanQuant) int64 {
	// The masks (no-ops: left ≤ 30, right ≤ 31) spare Go's fix-up for
	// shift counts ≥ the width.
	h := (int64(acc<<(c.left&31))*c.m + (1 << 30)) >> 31
	return (h + c.half + (h>>63)&c.negAdj) >> (c.right & 63)
}

// requantHalfUp is MultiplyByQuantizedMultiplierHalfUp without its final
// saturation to int32: the caller adds an output offset of at most 2^24 in
// magnitude and clamps to an 8-bit range, which gives the same result.
func requantHalfUp(acc int32, c *chanQuant) int64 {
	v := (int64(acc)<<(c.left&63)*c.m + (1 << 30)) >> 31
	return (v + c.half) >> (c.right & 63)
}

// floatNR is the number of output channels of one float GEMM block.
const floatNR = 8
