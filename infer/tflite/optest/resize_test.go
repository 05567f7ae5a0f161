package optest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

var resizeTable = []resizeCase{
	{[]int{1, 2, 2, 3}, 4, 4, false, false}, // exact 2×: TFLite's averaging kernel
	{[]int{1, 3, 5, 2}, 7, 4, false, false},
	{[]int{2, 4, 4, 1}, 2, 3, false, true},
	{[]int{1, 3, 3, 2}, 5, 5, true, false},
	{[]int{1, 5, 3, 4}, 9, 6, false, true},
	{[]int{1, 7, 7, 2}, 3, 10, false, false},
	{[]int{1, 4, 6, 3}, 12, 18, false, true},
}

// refBilinear is TensorFlow's bilinear resize in float64.
func refBilinear(x []float64, in []int, oh, ow int, align, half bool) []float64 {
	n, h, w, c := in[0], in[1], in[2], in[3]
	scale := func(i, o int) float64 {
		if align && o > 1 {
			return float64(i-1) / float64(o-1)
		}
		return float64(i) / float64(o)
	}
	hs, ws := scale(h, oh), scale(w, ow)
	src := func(v int, s float64, size int) (float64, int, int) {
		f := float64(v) * s
		if half {
			f = (float64(v)+0.5)*s - 0.5
		}
		lo := max(int(math.Floor(f)), 0)
		hi := min(int(math.Ceil(f)), size-1)
		return f, lo, hi
	}
	out := make([]float64, n*oh*ow*c)
	o := 0
	for b := range n {
		for y := range oh {
			fy, y0, y1 := src(y, hs, h)
			dy := fy - float64(y0)
			for xx := range ow {
				fx, x0, x1 := src(xx, ws, w)
				dx := fx - float64(x0)
				at := func(yy, xi, ch int) float64 { return x[((b*h+yy)*w+xi)*c+ch] }
				for ch := range c {
					top := at(y0, x0, ch)*(1-dx) + at(y0, x1, ch)*dx
					bot := at(y1, x0, ch)*(1-dx) + at(y1, x1, ch)*dx
					out[o] = top*(1-dy) + bot*dy
					o++
				}
			}
		}
	}
	return out
}

func resizeBilinearCases() []opCase { return resizeBilinearCasesFor(resizeTable) }

func resizeBilinearCasesFor(table []resizeCase) []opCase {
	var cs []opCase
	for _, d := range []dtype{f32, u8, i8} {
		for _, p := range table {
			cs = append(cs, opCase{op: "RESIZE_BILINEAR", dtype: d.name, act: "none", params: fmt.Sprintf("in%v_to%dx%d_align%v_half%v", p.in, p.oh, p.ow, p.align, p.half),
				build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
					in := randTensor(r, d, p.in, -2, 3)
					shape := []int{p.in[0], p.oh, p.ow, p.in[3]}
					real := refBilinear(in.real(), p.in, p.oh, p.ow, p.align, p.half)
					out := in.like(shape)
					g := NewGraph()
					gi := g.in(in)
					g.Op(schema.OpResizeBilinear, []int32{gi, g.ints(p.oh, p.ow)}, []int32{g.out(out)}, &schema.ResizeBilinearOptions{AlignCorners: p.align, HalfPixelCenters: p.half})
					w := want{out: out, real: real}
					if d == i8 {
						w.alt = refBilinearInt(in.q, p.in, p.oh, p.ow, p.align, p.half)
					}
					return g, []*tensor{in}, []want{w}
				}})
		}
	}
	return cs
}

// refBilinearInt is TFLite's integer bilinear resize (int8), written out:
// source coordinates with 10 fractional bits, scale rounded to nearest,
// products summed in 64 bits and rounded half away from zero. Its weights
// differ from the exact ones by up to 1/1024 of a pixel, which moves
// results by a step or two where neighbours differ a lot.
func refBilinearInt(q []int32, in []int, oh, ow int, align, half bool) []int32 {
	n, h, w, c := in[0], in[1], in[2], in[3]
	sc := func(i, o int) int64 {
		if align && o > 1 {
			return (1024*int64(i-1) + int64(o-1)/2) / int64(o-1)
		}
		return (1024*int64(i) + int64(o)/2) / int64(o)
	}
	src := func(v int, s int64, size int) (int64, int64, int64) {
		x := int64(v) * s
		if half {
			x += s/2 - 512
		}
		return x, max(x/1024, 0), min((x+1023)/1024, int64(size-1))
	}
	out := make([]int32, n*oh*ow*c)
	o := 0
	for b := range n {
		for y := range oh {
			fy, y0, y1 := src(y, sc(h, oh), h)
			for xx := range ow {
				fx, x0, x1 := src(xx, sc(w, ow), w)
				at := func(yy, xi int64, ch int) int64 {
					return int64(q[((int64(b)*int64(h)+yy)*int64(w)+xi)*int64(c)+int64(ch)])
				}
				for ch := range c {
					v := at(y0, x0, ch)*(1024-(fy-1024*y0))*(1024-(fx-1024*x0)) +
						at(y1, x0, ch)*(fy-1024*y0)*(1024-(fx-1024*x0)) +
						at(y0, x1, ch)*(1024-(fy-1024*y0))*(fx-1024*x0) +
						at(y1, x1, ch)*(fy-1024*y0)*(fx-1024*x0)
					r := int64(1 << 19)
					if v <= 0 {
						r = -r
					}
					out[o] = int32((v + r) / (1 << 20))
					o++
				}
			}
		}
	}
	return out
}
