package kernels

// quantElem is an 8-bit quantized element type.
type quantElem interface{ ~int8 | ~uint8 }

// requant maps an int32 accumulator of output channel ch to the output
// domain: multiply by the channel's quantized multiplier, add the output
// offset, clamp to the activation range.
func (q *QuantParams) requant(acc int32, ch int) int32 {
	i := 0
	if len(q.Multiplier) > 1 {
		i = ch
	}
	var v int32
	if q.HalfUp {
		v = MultiplyByQuantizedMultiplierHalfUp(acc, q.Multiplier[i], q.Shift[i])
	} else {
		v = MultiplyByQuantizedMultiplier(acc, q.Multiplier[i], q.Shift[i])
	}
	// In 64 bits, so an extreme offset cannot wrap around.
	r := int64(v) + int64(q.OutputOffset)
	return int32(min(max(r, int64(q.ActMin)), int64(q.ActMax)))
}
