package train

import (
	"image"
	"math"
)

// work holds one sample's activations and gradients, reused across
// samples so training does not allocate per step.
type work struct {
	sizes  []int       // sizes[l] is the side of acts[l]
	acts   [][]float32 // acts[0] is the input, acts[l+1] conv l's output
	grads  [][]float32 // grads[l] is the loss gradient at acts[l]
	patch  []float32
	dPatch []float32
	feat   []float32
	dFeat  []float32
	logits []float32
	probs  []float32
}

func newWork(n *Net) *work {
	w := &work{sizes: []int{n.Size}}
	w.acts = append(w.acts, make([]float32, n.Size*n.Size*3))
	w.grads = append(w.grads, nil)
	side, maxPatch := n.Size, 0
	for i := range n.Convs {
		c := &n.Convs[i]
		side, _ = c.outSize(side)
		w.sizes = append(w.sizes, side)
		w.acts = append(w.acts, make([]float32, side*side*c.Out))
		w.grads = append(w.grads, make([]float32, side*side*c.Out))
		maxPatch = max(maxPatch, c.K*c.K*c.In)
	}
	w.patch = make([]float32, maxPatch)
	w.dPatch = make([]float32, maxPatch)
	w.feat = make([]float32, n.Features())
	w.dFeat = make([]float32, n.Features())
	w.logits = make([]float32, n.Classes)
	w.probs = make([]float32, n.Classes)
	return w
}

// setInput writes the image's pixels scaled to [0, 1] (NHWC, RGB) into dst.
// The image must be size×size with its origin at (0, 0) or anywhere: it is
// read from its bounds' minimum point.
func setInput(dst []float32, img image.Image, size int, shift float32) {
	setPixels(dst, img, size)
	if shift != 0 {
		for i := range dst {
			dst[i] -= shift
		}
	}
}

func setPixels(dst []float32, img image.Image, size int) {
	b := img.Bounds()
	if rgba, ok := img.(*image.RGBA); ok && b.Dx() == size && b.Dy() == size {
		for y := range size {
			row := rgba.Pix[y*rgba.Stride:]
			for x := range size {
				for c := range 3 {
					dst[(y*size+x)*3+c] = float32(row[4*x+c]) / 255
				}
			}
		}
		return
	}
	for y := range size {
		for x := range size {
			r, g, bl, _ := img.At(b.Min.X+x*b.Dx()/size, b.Min.Y+y*b.Dy()/size).RGBA()
			dst[(y*size+x)*3+0] = float32(r>>8) / 255
			dst[(y*size+x)*3+1] = float32(g>>8) / 255
			dst[(y*size+x)*3+2] = float32(bl>>8) / 255
		}
	}
}

// forward runs the network on w.acts[0], leaving logits and softmax
// probabilities in w.
func (n *Net) forward(w *work) {
	for i := range n.Convs {
		n.Convs[i].forward(w.acts[i], w.sizes[i], w.acts[i+1], w.patch)
	}
	last := w.acts[len(w.acts)-1]
	f := n.Features()
	clear(w.feat)
	for p := 0; p < len(last); p += f {
		for c := range f {
			w.feat[c] += last[p+c]
		}
	}
	inv := 1 / float32(len(last)/f)
	for c := range w.feat {
		w.feat[c] *= inv
	}
	for k := range n.Classes {
		w.logits[k] = n.FCB[k] + dot(w.feat, n.FCW[k*f:(k+1)*f])
	}
	softmax(w.logits, w.probs)
}

func softmax(logits, probs []float32) {
	m := logits[0]
	for _, v := range logits {
		m = max(m, v)
	}
	var s float64
	for i, v := range logits {
		e := math.Exp(float64(v - m))
		probs[i] = float32(e)
		s += e
	}
	for i := range probs {
		probs[i] = float32(float64(probs[i]) / s)
	}
}

// backward accumulates into g the gradient of the cross-entropy loss of
// label after a forward pass, and returns the loss.
func (n *Net) backward(w *work, label int, g *Net) float64 {
	loss := -math.Log(max(float64(w.probs[label]), 1e-12))
	f := n.Features()
	clear(w.dFeat)
	for k := range n.Classes {
		d := w.probs[k]
		if k == label {
			d--
		}
		g.FCB[k] += d
		axpy(d, w.feat, g.FCW[k*f:(k+1)*f])
		axpy(d, n.FCW[k*f:(k+1)*f], w.dFeat)
	}
	L := len(n.Convs)
	dLast := w.grads[L]
	inv := 1 / float32(len(dLast)/f)
	for p := 0; p < len(dLast); p += f {
		for c := range f {
			dLast[p+c] = w.dFeat[c] * inv
		}
	}
	for i := L - 1; i >= 0; i-- {
		n.Convs[i].backward(w.acts[i], w.sizes[i], w.acts[i+1], w.grads[i+1], &g.Convs[i], w.grads[i], w.patch, w.dPatch)
	}
	return loss
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
