package kernels

import "math"

// RequantParams map one 8-bit quantization to another (QUANTIZE between
// uint8 and int8): out = clamp(MBQM(in − InZP, M, Shift) + OutZP).
type RequantParams struct {
	InZP, OutZP int32
	Multiplier  int32
	Shift       int
}

// PrepareRequant computes the multiplier in float64 from the two scales,
// as TFLite's quantize.cc does.
func PrepareRequant(inScale float32, inZP int32, outScale float32, outZP int32) RequantParams {
	m, s := QuantizeMultiplier(float64(inScale) / float64(outScale))
	return RequantParams{InZP: inZP, OutZP: outZP, Multiplier: m, Shift: s}
}

// Requant8 is an 8-bit → 8-bit requantization (QUANTIZE between uint8
// and int8) prepared once: the exact function of every input byte, and
// whether it only adds one offset to each byte, as with equal scales and
// zero points 128 apart (models with uint8 inputs and int8 insides).
type Requant8 struct {
	table    [256]byte
	offset   byte
	isOffset bool
}

// PrepareRequant8 tabulates p for inputs of type I and outputs of type O.
func PrepareRequant8[I, O int8like](p *RequantParams) Requant8 {
	lo, hi := Limits[O]()
	var r Requant8
	for b := range 256 {
		v := MultiplyByQuantizedMultiplier(int32(I(b))-p.InZP, p.Multiplier, p.Shift) + p.OutZP
		r.table[b] = byte(O(min(max(v, lo), hi)))
	}
	r.offset, r.isOffset = byteOffset(&r.table)
	return r
}

// Apply requantizes the bytes of an 8-bit tensor into out: eight bytes
// per word when the function is one offset, else a lookup per byte.
func (r *Requant8) Apply(in, out []byte) {
	out = out[:len(in)]
	if r.isOffset {
		addBytes(in, out, r.offset)
		return
	}
	for i, v := range in {
		out[i] = r.table[v]
	}
}

// QuantizeFloat32 quantizes floats: clamp(round(x/scale) + zp), rounding
// half away from zero in float32 as TFLite's AffineQuantize does.
func QuantizeFloat32[O quantInt](scale float32, zp int32, in []float32, out []O) {
	lo, hi := Limits[O]()
	for i, v := range in {
		r := float64(math.Round(float64(v / scale)))
		q := int64(zp)
		switch {
		case r > 1<<31:
			q = int64(hi)
		case r < -(1 << 31):
			q = int64(lo)
		default:
			q += int64(r)
		}
		out[i] = O(min(max(q, int64(lo)), int64(hi)))
	}
}

// DequantizeToFloat32 computes float32(scale·(q − zp)) in float64.
func DequantizeToFloat32[I quantInt](scale float64, zp int32, in []I, out []float32) {
	for i, v := range in {
		out[i] = float32(scale * float64(int32(v)-zp))
	}
}

func roundF64(x float64) float64 { return math.Round(x) }
