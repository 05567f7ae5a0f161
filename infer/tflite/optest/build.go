// Package optest tests Fovea's pure-Go TFLite interpreter one operator at a
// time: its tests build single-operator .tflite models with schema.Marshal
// (seeded random weights, realistic quantization), run them through
// infer.Load, and compare every output element against a reference written
// in the tests (float64 loops; quantized results requantized from the exact
// real-valued result). See docs/optest.md.
//
// The only non-test code is Graph, a small builder of one-subgraph models.
package optest

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// Graph builds a one-subgraph schema.Model. The zero value is not ready;
// use NewGraph.
type Graph struct {
	m  schema.Model
	sg schema.Subgraph
}

// NewGraph returns an empty graph whose buffer 0 is the empty buffer TFLite
// reserves.
func NewGraph() *Graph {
	return &Graph{m: schema.Model{Version: 3, Buffers: [][]byte{nil}}}
}

// Quant is per-tensor affine quantization.
func Quant(scale float64, zp int32) *schema.Quantization {
	return &schema.Quantization{Scale: []float32{float32(scale)}, ZeroPoint: []int64{int64(zp)}}
}

// PerChannel is symmetric per-channel quantization along axis.
func PerChannel(scales []float32, axis int) *schema.Quantization {
	return &schema.Quantization{Scale: scales, ZeroPoint: make([]int64, len(scales)), QuantizedDimension: int32(axis)}
}

func shape32(shape []int) []int32 {
	s := make([]int32, len(shape))
	for i, d := range shape {
		s[i] = int32(d)
	}
	return s
}

// Tensor adds a tensor without data (an activation) and returns its index.
func (g *Graph) Tensor(name string, typ schema.TensorType, shape []int, q *schema.Quantization) int32 {
	g.sg.Tensors = append(g.sg.Tensors, schema.Tensor{Name: name, Type: typ, Shape: shape32(shape), Quant: q})
	return int32(len(g.sg.Tensors) - 1)
}

// Input adds a graph input.
func (g *Graph) Input(name string, typ schema.TensorType, shape []int, q *schema.Quantization) int32 {
	i := g.Tensor(name, typ, shape, q)
	g.sg.Inputs = append(g.sg.Inputs, i)
	return i
}

// Output adds a graph output.
func (g *Graph) Output(name string, typ schema.TensorType, shape []int, q *schema.Quantization) int32 {
	i := g.Tensor(name, typ, shape, q)
	g.sg.Outputs = append(g.sg.Outputs, i)
	return i
}

// Const adds a constant tensor holding data (little-endian element bytes).
func (g *Graph) Const(name string, typ schema.TensorType, shape []int, q *schema.Quantization, data []byte) int32 {
	g.m.Buffers = append(g.m.Buffers, data)
	i := g.Tensor(name, typ, shape, q)
	g.sg.Tensors[i].Buffer = uint32(len(g.m.Buffers) - 1)
	return i
}

// Op adds an operator; an input of -1 is an omitted optional input.
func (g *Graph) Op(op schema.BuiltinOperator, inputs, outputs []int32, options any) {
	code := -1
	for i, c := range g.m.OperatorCodes {
		if c.Builtin == op {
			code = i
		}
	}
	if code < 0 {
		g.m.OperatorCodes = append(g.m.OperatorCodes, schema.OperatorCode{Builtin: op, Version: 1})
		code = len(g.m.OperatorCodes) - 1
	}
	g.sg.Operators = append(g.sg.Operators, schema.Operator{OpcodeIndex: uint32(code), Inputs: inputs, Outputs: outputs, Options: options})
}

// Model returns the schema model built so far.
func (g *Graph) Model() *schema.Model {
	m := g.m
	m.Subgraphs = []schema.Subgraph{g.sg}
	return &m
}

// Marshal writes the graph as a .tflite file.
func (g *Graph) Marshal() ([]byte, error) {
	b, err := schema.Marshal(g.Model())
	if err != nil {
		return nil, fmt.Errorf("optest.Marshal: %w", err)
	}
	return b, nil
}

// Float32Bytes encodes float32 values little-endian.
func Float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// Int32Bytes encodes int32 values little-endian.
func Int32Bytes(v []int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

// Int8Bytes encodes values already in the 8-bit range of typ (UInt8 or
// Int8) as bytes.
func Int8Bytes(v []int32) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}
