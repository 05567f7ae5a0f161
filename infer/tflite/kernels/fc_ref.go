package kernels

// fcRefQuant is the plain FULLY_CONNECTED over 8-bit elements for output
// rows (batches) [lo, hi): out[b, o] = requant(Σ_i (in[b, i] +
// InputOffset)·(w[o, i] + FilterOffset) + bias[o]).
func fcRefQuant[T quantElem](inDepth, outDepth int, in, weights []T, bias []int32, out []T, q *QuantParams, lo, hi int) {
	for b := lo; b < hi; b++ {
		x := in[b*inDepth:][:inDepth]
		o := out[b*outDepth:][:outDepth]
		for oc := range o {
			w := weights[oc*inDepth:][:inDepth]
			var acc int32
			for i, xv := range x {
				acc += (int32(xv) + q.InputOffset) * (int32(w[i]) + q.FilterOffset)
			}
			if bias != nil {
				acc += bias[oc]
			}
			o[oc] = T(q.requant(acc, oc))
		}
	}
}

// fcRefFloat32 is the plain float FULLY_CONNECTED for batches [lo, hi).
func fcRefFloat32(inDepth, outDepth int, in, weights, bias, out []float32, actMin, actMax float32, lo, hi int) {
	for b := lo; b < hi; b++ {
		x := in[b*inDepth:][:inDepth]
		o := out[b*outDepth:][:outDepth]
		for oc := range o {
			w := weights[oc*inDepth:][:inDepth]
			var acc float32
			for i, xv := range x {
				acc += xv * w[i]
			}
			if bias != nil {
				acc += bias[oc]
			}
			o[oc] = min(max(acc, actMin), actMax)
		}
	}
}
