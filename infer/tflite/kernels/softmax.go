package kernels

import "math"

// SoftmaxLUT is the exp table of TFLite's built-in 8-bit softmax
// (optimized_ops::PopulateSoftmaxLookupTable): Table[255−d] = e^(−scale·β·d).
type SoftmaxLUT struct {
	Table    [256]float32
	OutScale float32
	OutZP    int32
}

// PrepareSoftmaxLUT fills the table for an input scale and β, in float32
// as TFLite computes it.
func PrepareSoftmaxLUT(inScale, beta, outScale float32, outZP int32) *SoftmaxLUT {
	l := &SoftmaxLUT{OutScale: outScale, OutZP: outZP}
	scale := -inScale * beta
	for v := 0; v <= 255; v++ {
		l.Table[255-v] = float32(math.Exp(float64(scale * float32(v))))
	}
	return l
}

// SoftmaxQuant computes 8-bit softmax over the last axis (length depth)
// as TFLite's built-in kernel does on x86-64: sums of table entries in
// float32, then probabilities p·(1/(sum·outScale)) quantized by adding 0.5
// and truncating (uint8) or rounding half away from zero plus the zero
// point (int8).
func SoftmaxQuant[T int8like](l *SoftmaxLUT, depth int, in, out []T) {
	lo, hi := Limits[T]()
	unsigned := lo == 0
	for len(in) >= depth && depth > 0 {
		row, orow := in[:depth], out[:depth]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		base := 255 - int(mx)
		sum := float32(0)
		for _, v := range row {
			sum += l.Table[base+int(v)]
		}
		inv := 1 / float32(sum*l.OutScale)
		for j, v := range row {
			pr := float32(l.Table[base+int(v)] * inv)
			var q int32
			if unsigned {
				q = int32(float32(pr + 0.5))
			} else {
				q = int32(math.Round(float64(pr))) + l.OutZP
			}
			orow[j] = T(min(max(q, lo), hi))
		}
		in, out = in[depth:], out[depth:]
	}
}

// SoftmaxFloat32 computes softmax over the last axis with β.
func SoftmaxFloat32(depth int, beta float32, in, out []float32) {
	for len(in) >= depth && depth > 0 {
		row, orow := in[:depth], out[:depth]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		sum := float32(0)
		for j, v := range row {
			e := float32(math.Exp(float64((v - mx) * beta)))
			orow[j] = e
			sum += e
		}
		inv := 1 / sum
		for j := range orow {
			orow[j] *= inv
		}
		in, out = in[depth:], out[depth:]
	}
}

// LogSoftmaxQuant computes 8-bit LOG_SOFTMAX over the last axis as
// TFLite's built-in (optimized) kernel does: the softmax table's entries
// summed in float32, its log, then (s_in·(x − max) − log Σ)/s_out in
// float32 as s_in/s_out·x − (s_in·max + log Σ)/s_out, rounded half to even
// (rint) plus the zero point. l is a SoftmaxLUT built with β = 1.
func LogSoftmaxQuant[T int8like](l *SoftmaxLUT, inScale float32, depth int, in, out []T) {
	lo, hi := Limits[T]()
	scale := inScale / l.OutScale
	for len(in) >= depth && depth > 0 {
		row, orow := in[:depth], out[:depth]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		base := 255 - int(mx)
		sum := float32(0)
		for _, v := range row {
			sum += l.Table[base+int(v)]
		}
		pre := float32(float32(inScale*float32(mx))+LogF(sum)) / l.OutScale
		for j, v := range row {
			lp := float32(scale*float32(v)) - pre
			q := int32(math.RoundToEven(float64(lp))) + l.OutZP
			orow[j] = T(min(max(q, lo), hi))
		}
		in, out = in[depth:], out[depth:]
	}
}
