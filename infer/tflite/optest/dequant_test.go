package optest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// halfValue decodes IEEE binary16 bits with Ldexp (independently of the
// interpreter's bit manipulation).
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e, f := int(h>>10&0x1f), float64(h&0x3ff)
	switch e {
	case 0:
		return sign * math.Ldexp(f, -24)
	case 0x1f:
		if f == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+f, e-25)
}

var dequantShapes = [][]int{{8}, {3, 3, 3, 4}, {1, 1, 16, 2}, {5, 7}, {2, 2, 2, 2, 2}}

// dequantMoreCases: DEQUANTIZE of float16 constants (float16-weight
// models) and of per-channel int8 constants (weight-only quantization).
func dequantMoreCases() []opCase {
	var cs []opCase
	for k, s := range dequantShapes {
		cs = append(cs, opCase{op: "DEQUANTIZE", dtype: "float16→float32", act: "none", params: fmt.Sprintf("const%v_%d", s, k),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
				n := numel(s)
				data := make([]byte, 2*n)
				real := make([]float64, n)
				for i := range n {
					// Any finite half, subnormals included.
					h := uint16(r.Uint32())
					if h>>10&0x1f == 0x1f {
						h &^= 0x4000
					}
					binary.LittleEndian.PutUint16(data[2*i:], h)
					real[i] = halfValue(h)
				}
				g := NewGraph()
				c := g.Const("w16", schema.Float16, s, nil, data)
				out := &tensor{d: f32, shape: s}
				g.Op(schema.OpDequantize, []int32{c}, []int32{g.out(out)}, nil)
				return g, nil, []want{{out: out, real: real, tol: 1e-7}}
			}})
		cs = append(cs, opCase{op: "DEQUANTIZE", dtype: "int8→float32", act: "none", params: fmt.Sprintf("perchannel_const%v_%d", s, k),
			build: func(r *rand.Rand) (*Graph, []*tensor, []want) {
				w := randWeights(r, i8, s, k%len(s), 2, false)
				g := NewGraph()
				c := g.konst(w)
				out := &tensor{d: f32, shape: s}
				g.Op(schema.OpDequantize, []int32{c}, []int32{g.out(out)}, nil)
				return g, nil, []want{{out: out, real: w.real(), tol: 1e-6}}
			}})
	}
	return cs
}
