package train

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// Conv is a 2-D convolution with SAME padding (TFLite's convention: the
// extra row and column of padding go at the bottom and right) followed by
// ReLU. Weights are OHWI, as in a .tflite file.
type Conv struct {
	In, Out, K, Stride int
	W                  []float32 // [Out][K][K][In]
	B                  []float32 // [Out]
	// PadValue is the input value of padded positions: 0, except for the
	// first layer while training on centred input (see Net.InputShift).
	PadValue float32
}

// outSize is the SAME-padded output size and the leading padding.
func (c *Conv) outSize(n int) (out, pad int) {
	out = (n + c.Stride - 1) / c.Stride
	pad = max((out-1)*c.Stride+c.K-n, 0) / 2
	return out, pad
}

// Net is the demo CNN: a stack of strided 3×3 convolutions with ReLU, a
// global average pool and a fully connected layer giving class logits.
type Net struct {
	Size int // input side (square RGB input, values in [0, 1])
	// InputShift is subtracted from every input value while training, so
	// the first layer sees centred data; FoldInputShift folds it into the
	// first layer's bias before quantization.
	InputShift float32
	Convs      []Conv
	FCW        []float32 // [Classes][features]
	FCB        []float32
	Classes    int
}

// Architecture: channels of each stride-2 3×3 convolution.
var defaultChannels = []int{8, 16, 32, 64}

// NewNet makes a network with He-initialised weights drawn from rng.
func NewNet(size, classes int, channels []int, rng *rand.Rand) *Net {
	n := &Net{Size: size, Classes: classes, InputShift: 0.5}
	in := 3
	for i, out := range channels {
		c := Conv{In: in, Out: out, K: 3, Stride: 2}
		if i == 0 {
			c.PadValue = -n.InputShift
		}
		c.W = make([]float32, out*c.K*c.K*in)
		c.B = make([]float32, out)
		std := math.Sqrt(2 / float64(c.K*c.K*in))
		for i := range c.W {
			c.W[i] = float32(rng.NormFloat64() * std)
		}
		n.Convs = append(n.Convs, c)
		in = out
	}
	n.FCW = make([]float32, classes*in)
	n.FCB = make([]float32, classes)
	std := math.Sqrt(1 / float64(in))
	for i := range n.FCW {
		n.FCW[i] = float32(rng.NormFloat64() * std)
	}
	return n
}

// FoldInputShift makes the network take uncentred input [0, 1] with zero
// padding, computing exactly what it computed on shifted input: the first
// layer's bias absorbs −shift·Σw, and its padding (−shift in the shifted
// domain) becomes 0.
func (n *Net) FoldInputShift() {
	if n.InputShift == 0 {
		return
	}
	c := &n.Convs[0]
	kk := c.K * c.K * c.In
	for o := range c.Out {
		var s float64
		for _, w := range c.W[o*kk : (o+1)*kk] {
			s += float64(w)
		}
		c.B[o] -= float32(float64(n.InputShift) * s)
	}
	c.PadValue = 0
	n.InputShift = 0
}

// Features is the width of the pooled feature vector.
func (n *Net) Features() int { return n.Convs[len(n.Convs)-1].Out }

// params lists every trainable slice in a fixed order.
func (n *Net) params() [][]float32 {
	var p [][]float32
	for i := range n.Convs {
		p = append(p, n.Convs[i].W, n.Convs[i].B)
	}
	return append(p, n.FCW, n.FCB)
}

// Bytes serialises every weight (little-endian float32, params order): the
// identity of a trained network, used to check determinism.
func (n *Net) Bytes() []byte {
	var b []byte
	for _, p := range n.params() {
		for _, v := range p {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b
}

// Clone returns a deep copy.
func (n *Net) Clone() *Net {
	c := n.zeroLike()
	c.InputShift = n.InputShift
	for i, p := range n.params() {
		copy(c.params()[i], p)
	}
	return c
}

// zeroLike returns a zeroed network of the same shape, used for gradients.
func (n *Net) zeroLike() *Net {
	g := &Net{Size: n.Size, Classes: n.Classes, InputShift: n.InputShift}
	for _, c := range n.Convs {
		g.Convs = append(g.Convs, Conv{In: c.In, Out: c.Out, K: c.K, Stride: c.Stride, PadValue: c.PadValue,
			W: make([]float32, len(c.W)), B: make([]float32, len(c.B))})
	}
	g.FCW = make([]float32, len(n.FCW))
	g.FCB = make([]float32, len(n.FCB))
	return g
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy computes y += a·x.
func axpy(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// gather copies the K×K×In input patch under output (oy, ox) into patch,
// zero where it falls in the padding.
func (c *Conv) gather(in []float32, n, pad, oy, ox int, patch []float32) {
	idx := 0
	for ky := range c.K {
		iy := oy*c.Stride + ky - pad
		for kx := range c.K {
			ix := ox*c.Stride + kx - pad
			dst := patch[idx : idx+c.In]
			if iy < 0 || iy >= n || ix < 0 || ix >= n {
				for i := range dst {
					dst[i] = c.PadValue
				}
			} else {
				copy(dst, in[(iy*n+ix)*c.In:])
			}
			idx += c.In
		}
	}
}

// forward computes relu(conv(in)) for an n×n input into out; patch is
// scratch of K·K·In.
func (c *Conv) forward(in []float32, n int, out, patch []float32) {
	on, pad := c.outSize(n)
	kk := c.K * c.K * c.In
	patch = patch[:kk]
	for oy := range on {
		for ox := range on {
			c.gather(in, n, pad, oy, ox, patch)
			o := out[(oy*on+ox)*c.Out:][:c.Out]
			for k := range c.Out {
				v := c.B[k] + dot(patch, c.W[k*kk:(k+1)*kk])
				o[k] = max(v, 0)
			}
		}
	}
}

// backward accumulates the gradients of the weights into g, given the
// layer's input, its ReLU output and the loss gradient dOut at that output.
// When dIn is not nil it receives the gradient at the input (overwritten).
func (c *Conv) backward(in []float32, n int, out, dOut []float32, g *Conv, dIn, patch, dPatch []float32) {
	on, pad := c.outSize(n)
	kk := c.K * c.K * c.In
	patch, dPatch = patch[:kk], dPatch[:kk]
	if dIn != nil {
		clear(dIn)
	}
	for oy := range on {
		for ox := range on {
			base := (oy*on + ox) * c.Out
			active := false
			for k := range c.Out {
				if out[base+k] > 0 && dOut[base+k] != 0 {
					active = true
					break
				}
			}
			if !active {
				continue
			}
			c.gather(in, n, pad, oy, ox, patch)
			clear(dPatch)
			for k := range c.Out {
				if out[base+k] <= 0 {
					continue
				}
				d := dOut[base+k]
				g.B[k] += d
				axpy(d, patch, g.W[k*kk:(k+1)*kk])
				axpy(d, c.W[k*kk:(k+1)*kk], dPatch)
			}
			if dIn == nil {
				continue
			}
			idx := 0
			for ky := range c.K {
				iy := oy*c.Stride + ky - pad
				for kx := range c.K {
					ix := ox*c.Stride + kx - pad
					if iy >= 0 && iy < n && ix >= 0 && ix < n {
						axpy(1, dPatch[idx:idx+c.In], dIn[(iy*n+ix)*c.In:])
					}
					idx += c.In
				}
			}
		}
	}
}
