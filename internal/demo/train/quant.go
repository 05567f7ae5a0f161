package train

import (
	"math"
)

// int8 range of activations; weights use the symmetric [−127, 127].
const (
	qmin        = -128
	qmax        = 127
	weightLimit = 127
)

// QParams are per-tensor affine int8 parameters: real = Scale·(q − ZeroPoint).
type QParams struct {
	Scale     float32
	ZeroPoint int32
}

// Quantize maps a real value to int8, rounding half away from zero and
// saturating.
func (q QParams) Quantize(x float64) int8 {
	v := math.Round(x/float64(q.Scale)) + float64(q.ZeroPoint)
	return int8(min(max(v, qmin), qmax))
}

// Dequantize maps an int8 value back to a real value.
func (q QParams) Dequantize(v int8) float64 {
	return float64(q.Scale) * float64(int32(v)-q.ZeroPoint)
}

// ChooseQParams picks int8 parameters for values calibrated in [lo, hi] as
// TFLite's post-training quantizer does: the range is widened to include
// 0, scale = (hi − lo)/255, and the zero point is computed from whichever
// end adds the smaller rounding error, then nudged to an integer in
// [−128, 127]. A range that is the single point 0 gets scale 1, zero
// point 0.
func ChooseQParams(lo, hi float64) QParams {
	lo, hi = min(lo, 0), max(hi, 0)
	if lo == hi {
		return QParams{Scale: 1, ZeroPoint: 0}
	}
	scale := (hi - lo) / (qmax - qmin)
	zpFromMin := qmin - lo/scale
	zpFromMax := qmax - hi/scale
	zp := zpFromMax
	if math.Abs(qmin)+math.Abs(lo/scale) < math.Abs(qmax)+math.Abs(hi/scale) {
		zp = zpFromMin
	}
	var nudged int32
	switch {
	case zp < qmin:
		nudged = qmin
	case zp > qmax:
		nudged = qmax
	default:
		nudged = int32(math.Round(zp))
	}
	return QParams{Scale: float32(scale), ZeroPoint: nudged}
}

// SymmetricPerChannel quantizes weights laid out with the output channel
// first ([channels][…], OHWI for convolutions): per channel, scale =
// max|w|/127 and q = round(w/scale) in [−127, 127], zero point 0. An
// all-zero channel gets scale 1 so every scale in the file is positive.
func SymmetricPerChannel(w []float32, channels int) (q []int8, scales []float32) {
	per := len(w) / channels
	q = make([]int8, len(w))
	scales = make([]float32, channels)
	for c := range channels {
		row := w[c*per : (c+1)*per]
		var m float64
		for _, v := range row {
			m = max(m, math.Abs(float64(v)))
		}
		scales[c] = symmetricScale(m)
		for i, v := range row {
			q[c*per+i] = quantizeSymmetric(v, scales[c])
		}
	}
	return q, scales
}

// SymmetricPerTensor quantizes weights with one symmetric scale.
func SymmetricPerTensor(w []float32) (q []int8, scale float32) {
	q, s := SymmetricPerChannel(w, 1)
	return q, s[0]
}

func symmetricScale(maxAbs float64) float32 {
	if maxAbs == 0 {
		return 1
	}
	return float32(maxAbs / weightLimit)
}

func quantizeSymmetric(v, scale float32) int8 {
	r := math.Round(float64(v) / float64(scale))
	return int8(min(max(r, -weightLimit), weightLimit))
}

// QuantizeBias quantizes a bias to int32 with scale input_scale·weight_scale
// of its output channel (one weight scale means per tensor) and zero
// point 0, saturating to ±(2^31 − 1). It also returns the scales.
func QuantizeBias(b []float32, inScale float32, weightScales []float32) (q []int32, scales []float32) {
	q = make([]int32, len(b))
	scales = make([]float32, len(b))
	for i, v := range b {
		ws := weightScales[0]
		if len(weightScales) > 1 {
			ws = weightScales[i]
		}
		scales[i] = inScale * ws
		r := math.Round(float64(v) / float64(scales[i]))
		q[i] = int32(min(max(r, -math.MaxInt32), math.MaxInt32))
	}
	return q, scales
}

// InputParams are the model input's int8 parameters: scale 1/255, zero
// point −128, so q = pixel − 128 and real = pixel/255, the float
// network's input.
var InputParams = QParams{Scale: 1.0 / 255, ZeroPoint: -128}

// SoftmaxParams are TFLite's fixed int8 softmax output parameters.
var SoftmaxParams = QParams{Scale: 1.0 / 256, ZeroPoint: -128}
