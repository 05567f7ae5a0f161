package train

import (
	"fmt"
	"image"
	"math"

	"github.com/fovea-edge/fovea/infer/tflite/kernels"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// QConv is a quantized convolution with fused ReLU.
type QConv struct {
	In, Out, K, Stride int
	W                  []int8    // OHWI
	WScales            []float32 // per output channel
	Bias               []int32
	BiasScales         []float32
	Output             QParams
}

// QModel is the full-integer network: int8 input, convolutions, an average
// pool over the whole last feature map (same parameters as its input, as
// TFLite requires), a fully connected layer to int8 logits and an int8
// softmax.
type QModel struct {
	Size    int
	Labels  []string
	Input   QParams
	Convs   []QConv
	FCW     []int8 // [classes][features]
	FCScale float32
	FCBias  []int32
	FCBiasS []float32
	Logits  QParams
	Output  QParams
}

// rangeTracker records the min and max of each calibrated tensor.
type rangeTracker struct{ lo, hi []float64 }

func (r *rangeTracker) add(i int, vals []float32) {
	for _, v := range vals {
		r.lo[i] = min(r.lo[i], float64(v))
		r.hi[i] = max(r.hi[i], float64(v))
	}
}

// Quantize calibrates activation ranges on count frames of scene (min/max
// over all of them) and quantizes the network.
func Quantize(n *Net, scene shapes.Scene, count int) (*QModel, error) {
	if count < 1 {
		return nil, fmt.Errorf("train.Quantize: %w: calibration needs at least one frame, got %d", ErrBadConfig, count)
	}
	if n.InputShift != 0 {
		n = n.Clone()
		n.FoldInputShift()
	}
	L := len(n.Convs)
	// Tensors: conv outputs 0..L−1, logits L.
	rt := &rangeTracker{lo: make([]float64, L+1), hi: make([]float64, L+1)}
	for i := range rt.lo {
		rt.lo[i], rt.hi[i] = math.Inf(1), math.Inf(-1)
	}
	w := newWork(n)
	for i := range count {
		f := scene.Render(uint64(i), false)
		setInput(w.acts[0], f.Image, n.Size, n.InputShift)
		n.forward(w)
		for l := range L {
			rt.add(l, w.acts[l+1])
		}
		rt.add(L, w.logits)
	}
	q := &QModel{Size: n.Size, Labels: append([]string(nil), shapes.Classes...),
		Input: InputParams, Output: SoftmaxParams}
	in := q.Input
	for l, c := range n.Convs {
		qc := QConv{In: c.In, Out: c.Out, K: c.K, Stride: c.Stride}
		qc.W, qc.WScales = SymmetricPerChannel(c.W, c.Out)
		qc.Bias, qc.BiasScales = QuantizeBias(c.B, in.Scale, qc.WScales)
		qc.Output = ChooseQParams(rt.lo[l], rt.hi[l])
		q.Convs = append(q.Convs, qc)
		in = qc.Output
	}
	q.FCW, q.FCScale = SymmetricPerTensor(n.FCW)
	q.FCBias, q.FCBiasS = QuantizeBias(n.FCB, in.Scale, []float32{q.FCScale})
	q.Logits = ChooseQParams(rt.lo[L], rt.hi[L])
	return q, nil
}

// Features is the width of the pooled feature vector.
func (q *QModel) Features() int { return q.Convs[len(q.Convs)-1].Out }

// QuantizeImage fills dst (size·size·3 int8, NHWC) from the image: q =
// pixel − 128.
func (q *QModel) QuantizeImage(dst []int8, img image.Image) {
	f := make([]float32, q.Size*q.Size*3)
	setInput(f, img, q.Size, 0)
	for i, v := range f {
		dst[i] = int8(int32(math.Round(float64(v)*255)) - 128)
	}
}

// multiplier is TFLite's fixed-point form of in·w/out.
func multiplier(in, w, out float32) (int32, int) {
	return kernels.QuantizeMultiplier(float64(in) * float64(w) / float64(out))
}

// Run is the integer reference: it computes the model on an int8 input
// with TFLite's reference integer arithmetic and returns the int8 logits
// and softmax output. The softmax is computed in float from the
// dequantized logits, then quantized (its argmax is what matters here).
func (q *QModel) Run(input []int8) (logits, probs []int8) {
	act, side, in := input, q.Size, q.Input
	for _, c := range q.Convs {
		act, side = c.run(act, side, in)
		in = c.Output
	}
	f := q.Features()
	// Average pool over the whole map, TFLite's rounding, same params.
	pooled := make([]int8, f)
	cnt := int32(side * side)
	for ch := range f {
		var acc int32
		for p := range side * side {
			acc += int32(act[p*f+ch])
		}
		if acc > 0 {
			acc = (acc + cnt/2) / cnt
		} else {
			acc = (acc - cnt/2) / cnt
		}
		pooled[ch] = int8(min(max(acc, qmin), qmax))
	}
	classes := len(q.FCBias)
	logits = make([]int8, classes)
	m, shift := multiplier(in.Scale, q.FCScale, q.Logits.Scale)
	for k := range classes {
		acc := q.FCBias[k]
		for i := range f {
			acc += (int32(pooled[i]) - in.ZeroPoint) * int32(q.FCW[k*f+i])
		}
		v := kernels.MultiplyByQuantizedMultiplier(acc, m, shift) + q.Logits.ZeroPoint
		logits[k] = int8(min(max(v, qmin), qmax))
	}
	real := make([]float32, classes)
	for k, v := range logits {
		real[k] = float32(q.Logits.Dequantize(v))
	}
	p := make([]float32, classes)
	softmax(real, p)
	probs = make([]int8, classes)
	for k, v := range p {
		probs[k] = q.Output.Quantize(float64(v))
	}
	return logits, probs
}

// run is one int8 convolution with fused ReLU on an n×n map.
func (c *QConv) run(in []int8, n int, inQ QParams) ([]int8, int) {
	tmp := Conv{In: c.In, Out: c.Out, K: c.K, Stride: c.Stride}
	on, pad := tmp.outSize(n)
	out := make([]int8, on*on*c.Out)
	kk := c.K * c.K * c.In
	mults := make([]int32, c.Out)
	shifts := make([]int, c.Out)
	for k := range c.Out {
		mults[k], shifts[k] = multiplier(inQ.Scale, c.WScales[k], c.Output.Scale)
	}
	actMin := max(c.Output.ZeroPoint, qmin) // fused ReLU: real 0
	for oy := range on {
		for ox := range on {
			for k := range c.Out {
				acc := c.Bias[k]
				wk := c.W[k*kk:]
				idx := 0
				for ky := range c.K {
					iy := oy*c.Stride + ky - pad
					for kx := range c.K {
						ix := ox*c.Stride + kx - pad
						if iy >= 0 && iy < n && ix >= 0 && ix < n {
							px := in[(iy*n+ix)*c.In:]
							for ci := range c.In {
								acc += (int32(px[ci]) - inQ.ZeroPoint) * int32(wk[idx+ci])
							}
						}
						idx += c.In
					}
				}
				v := kernels.MultiplyByQuantizedMultiplier(acc, mults[k], shifts[k]) + c.Output.ZeroPoint
				out[(oy*on+ox)*c.Out+k] = int8(min(max(v, actMin), qmax))
			}
		}
	}
	return out, on
}

// Accuracy is the integer reference's top-1 accuracy (argmax of the int8
// softmax output, first index on ties) on count frames of scene.
func (q *QModel) Accuracy(scene shapes.Scene, count int, drifted bool) float64 {
	in := make([]int8, q.Size*q.Size*3)
	correct := 0
	for i := range count {
		f := scene.Render(uint64(i), drifted)
		q.QuantizeImage(in, f.Image)
		_, probs := q.Run(in)
		if argmaxInt8(probs) == classIndex(f.Label) {
			correct++
		}
	}
	return float64(correct) / float64(count)
}

func argmaxInt8(v []int8) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
