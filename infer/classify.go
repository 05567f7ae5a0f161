package infer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/fovea-edge/fovea/internal/base/imaging"
)

// Class is one ranked prediction.
type Class struct {
	Label string  `json:"label"`
	Index int     `json:"index"`
	Score float32 `json:"score"`
}

// Prediction is the result of classifying one image.
type Prediction struct {
	Top        []Class
	Preprocess time.Duration // resize, colour conversion, quantization
	Invoke     time.Duration
}

// ClassifierOptions configure how images become input tensors and how
// outputs become labels.
type ClassifierOptions struct {
	// Labels name the output classes; nil means the model's embedded
	// labels, else the class index as a string.
	Labels []string
	// Mean and Std, when set (one value, or one per channel, in 0..255
	// pixel units), normalise every input as (p − mean) / std before it is
	// quantized with the input tensor's scale and zero point. When unset,
	// float inputs use the model metadata's normalisation, else
	// (p − 127.5) / 127.5; uint8 inputs take the raw pixel and int8 inputs
	// the pixel − 128 (the convention of quantized image models).
	Mean, Std []float32
	// Resize scales images to the input size. Nil means
	// imaging.NewPillow(): bilinear, antialiased like Pillow's
	// Image.BILINEAR, which is how most classifiers' inputs were prepared.
	Resize imaging.Resizer
	// Threads for the interpreter.
	Threads int
	// Keep names intermediate tensors to read after Classify through
	// Classifier.Tensor (see InterpreterOptions.Keep).
	Keep []string
}

// Classifier turns images into ranked labels with one interpreter. It is not
// safe for concurrent use: create one per goroutine.
type Classifier struct {
	interp  Interpreter
	in, out *Tensor
	labels  []string
	resize  imaging.Resizer

	layoutNCHW bool
	h, w, c    int
	mean, std  [3]float32
	normalise  bool // apply mean/std (else raw-pixel conventions)

	rgba   *image.RGBA // resize target, reused
	scores []float32   // dequantized output, reused
	order  []int       // top-k scratch, reused
}

// ErrInput marks an input tensor the Classifier cannot feed from an image.
var ErrInput = errors.New("model input is not an image tensor")

// NewClassifier prepares an interpreter for m and checks that its first
// input looks like an image ([1,H,W,C] or [1,C,H,W] with C = 1 or 3) and its
// first output like class scores.
func NewClassifier(m Model, opts ClassifierOptions) (*Classifier, error) {
	info := m.Info()
	if len(info.Inputs) == 0 || len(info.Outputs) == 0 {
		return nil, fmt.Errorf("infer.NewClassifier: model has %d inputs and %d outputs: %w", len(info.Inputs), len(info.Outputs), ErrInput)
	}
	interp, err := m.NewInterpreter(InterpreterOptions{Threads: opts.Threads, Keep: opts.Keep})
	if err != nil {
		return nil, fmt.Errorf("infer.NewClassifier: %w", err)
	}
	c := &Classifier{interp: interp, in: interp.Inputs()[0], out: interp.Outputs()[0], resize: opts.Resize}
	if c.resize == nil {
		c.resize = imaging.NewPillow()
	}
	shape := c.in.Shape
	switch {
	case len(shape) == 4 && shape[0] == 1 && (shape[3] == 1 || shape[3] == 3):
		c.h, c.w, c.c = shape[1], shape[2], shape[3]
	case len(shape) == 4 && shape[0] == 1 && (shape[1] == 1 || shape[1] == 3):
		c.layoutNCHW = true
		c.c, c.h, c.w = shape[1], shape[2], shape[3]
	default:
		return nil, fmt.Errorf("infer.NewClassifier: input %q has shape %v; want [1,H,W,C] or [1,C,H,W] with C = 1 or 3: %w", c.in.Name, shape, ErrInput)
	}
	switch c.in.Type {
	case Float32, UInt8, Int8:
	default:
		return nil, fmt.Errorf("infer.NewClassifier: input %q has type %v; want float32, uint8 or int8: %w", c.in.Name, c.in.Type, ErrInput)
	}
	if c.in.Type != Float32 && !c.in.Quant.Quantized() {
		return nil, fmt.Errorf("infer.NewClassifier: %v input %q has no quantization parameters: %w", c.in.Type, c.in.Name, ErrInput)
	}
	switch c.out.Type {
	case Float32, UInt8, Int8:
	default:
		return nil, fmt.Errorf("infer.NewClassifier: output %q has type %v; want float32, uint8 or int8 scores", c.out.Name, c.out.Type)
	}
	mean, std := opts.Mean, opts.Std
	if len(mean) == 0 && c.in.Type == Float32 {
		mean, std = info.Mean, info.Std
		if len(mean) == 0 {
			mean, std = []float32{127.5}, []float32{127.5}
		}
	}
	if len(mean) > 0 {
		if err := c.setNorm(mean, std); err != nil {
			return nil, fmt.Errorf("infer.NewClassifier: %w", err)
		}
	}
	n := c.out.NumElements()
	c.labels = opts.Labels
	if c.labels == nil {
		c.labels = info.Labels
	}
	if len(c.labels) > 0 && len(c.labels) != n {
		return nil, fmt.Errorf("infer.NewClassifier: %d labels for %d output classes: give the labels file that belongs to this model", len(c.labels), n)
	}
	c.rgba = image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	c.scores = make([]float32, n)
	c.order = make([]int, n)
	return c, nil
}

func (c *Classifier) setNorm(mean, std []float32) error {
	if len(std) != len(mean) || (len(mean) != 1 && len(mean) != c.c) {
		return fmt.Errorf("normalisation has %d means and %d stds; want 1 or %d of each", len(mean), len(std), c.c)
	}
	for i := range c.mean {
		j := i
		if len(mean) == 1 || j >= len(mean) {
			j = 0
		}
		if std[j] == 0 {
			return fmt.Errorf("normalisation std %d is zero", j)
		}
		c.mean[i], c.std[i] = mean[j], std[j]
	}
	c.normalise = true
	return nil
}

// Close releases the classifier's interpreter and its workers.
func (c *Classifier) Close() error { return c.interp.Close() }

// Tensor returns a tensor named in ClassifierOptions.Keep (or a graph input
// or output) as the last Classify left it, valid until the next Classify.
// It reports false when the name is unknown or the engine does not expose
// tensors.
func (c *Classifier) Tensor(name string) (*Tensor, bool) {
	r, ok := c.interp.(TensorReader)
	if !ok {
		return nil, false
	}
	return r.Tensor(name)
}

// InputSize is the model's input width and height.
func (c *Classifier) InputSize() (w, h int) { return c.w, c.h }

// Classify resizes img to the model input, runs the model and returns the k
// best classes (all when k ≤ 0), best first; ties go to the lower index.
func (c *Classifier) Classify(ctx context.Context, img image.Image, k int) (Prediction, error) {
	t0 := time.Now()
	c.fill(img)
	t1 := time.Now()
	if err := c.interp.Invoke(ctx); err != nil {
		return Prediction{}, fmt.Errorf("infer.Classify: %w", err)
	}
	t2 := time.Now()
	return Prediction{Top: c.top(k), Preprocess: t1.Sub(t0), Invoke: t2.Sub(t1)}, nil
}

// fill writes img into the input tensor.
func (c *Classifier) fill(img image.Image) {
	src := c.rgba
	if r, ok := img.(*image.RGBA); ok && r.Rect == c.rgba.Rect {
		src = r // already at the input size: the agent pre-resizes frames
	} else {
		c.resize(c.rgba, img)
	}
	plane := c.h * c.w
	for y := 0; y < c.h; y++ {
		row := src.Pix[y*src.Stride : y*src.Stride+4*c.w]
		for x := 0; x < c.w; x++ {
			px := row[4*x : 4*x+3]
			pos := y*c.w + x
			if c.c == 1 {
				// Pillow's convert('L'): ITU-R 601-2 luma in 16-bit fixed point.
				l := (uint32(px[0])*19595 + uint32(px[1])*38470 + uint32(px[2])*7471 + 0x8000) >> 16
				c.put(pos, 0, float32(l))
				continue
			}
			for ch := 0; ch < 3; ch++ {
				idx := pos*3 + ch
				if c.layoutNCHW {
					idx = ch*plane + pos
				}
				c.put(idx, ch, float32(px[ch]))
			}
		}
	}
}

// put stores pixel value p (0..255) of channel ch at element idx.
func (c *Classifier) put(idx, ch int, p float32) {
	if !c.normalise {
		switch c.in.Type {
		case UInt8:
			c.in.Data[idx] = uint8(p)
		case Int8:
			c.in.Data[idx] = uint8(int8(int(p) - 128))
		}
		return
	}
	x := (p - c.mean[ch]) / c.std[ch]
	switch c.in.Type {
	case Float32:
		c.in.Float32s()[idx] = x
	case UInt8:
		c.in.Data[idx] = uint8(c.quantize(x, 0, 255))
	case Int8:
		c.in.Data[idx] = uint8(int8(c.quantize(x, -128, 127)))
	}
}

func (c *Classifier) quantize(x float32, lo, hi int) int {
	q := int(math.RoundToEven(float64(x/c.in.Quant.Scale[0]))) + int(c.in.Quant.ZeroPoint[0])
	return min(max(q, lo), hi)
}

// top dequantizes the output and ranks it.
func (c *Classifier) top(k int) []Class {
	var scale float32 = 1
	var zp int64
	if c.out.Quant.Quantized() {
		scale, zp = c.out.Quant.Scale[0], c.out.Quant.ZeroPoint[0]
	}
	switch c.out.Type {
	case Float32:
		copy(c.scores, c.out.Float32s())
	case UInt8:
		for i, q := range c.out.Data[:len(c.scores)] {
			c.scores[i] = scale * float32(int64(q)-zp)
		}
	case Int8:
		for i, q := range c.out.Int8s()[:len(c.scores)] {
			c.scores[i] = scale * float32(int64(q)-zp)
		}
	}
	return topK(c.scores, k, c.labels, c.order)
}

// TopK returns the k highest scores (all when k ≤ 0 or k > len), best
// first, breaking ties by the lower index. labels may be nil.
func TopK(scores []float32, k int, labels []string) []Class {
	return topK(scores, k, labels, make([]int, len(scores)))
}

// topK is TopK with order (len(scores) ints) as scratch.
func topK(scores []float32, k int, labels []string, order []int) []Class {
	if k <= 0 || k > len(scores) {
		k = len(scores)
	}
	for i := range order {
		order[i] = i
	}
	// A stable sort keeps equal scores in index order: lower index first.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	out := make([]Class, k)
	for r, i := range order[:k] {
		out[r] = Class{Label: label(labels, i), Index: i, Score: scores[i]}
	}
	return out
}

func label(labels []string, i int) string {
	if i < len(labels) {
		return labels[i]
	}
	return strconv.Itoa(i)
}
