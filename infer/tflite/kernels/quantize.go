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

// Requant converts between 8-bit quantizations. Long inputs go through a
// 256-entry table of the same function (built on the stack per call, so
// the bytes are those of the direct loop).
func Requant[I, O int8like](p *RequantParams, in []I, out []O) {
	lo, hi := Limits[O]()
	if len(in) >= 1024 {
		var table [256]byte
		for b := range 256 {
			v := int32(I(b))
			r := MultiplyByQuantizedMultiplier(v-p.InZP, p.Multiplier, p.Shift) + p.OutZP
			table[b] = byte(O(min(max(r, lo), hi)))
		}
		src, dst := bytesOf(in), bytesOf(out[:len(in)])
		// Equal scales and zero points 128 apart (uint8 ↔ int8, as
		// models with uint8 inputs and int8 insides have) only move
		// every byte by one offset.
		if c, ok := byteOffset(&table); ok {
			addBytes(src, dst, c)
			return
		}
		for i, v := range src {
			dst[i] = table[v]
		}
		return
	}
	for i, v := range in {
		r := MultiplyByQuantizedMultiplier(int32(v)-p.InZP, p.Multiplier, p.Shift) + p.OutZP
		out[i] = O(min(max(r, lo), hi))
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
