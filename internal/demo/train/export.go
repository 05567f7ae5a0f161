package train

import (
	"encoding/binary"
	"fmt"

	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// ModelName and ModelDescription go into the exported metadata.
const (
	ModelName        = "shapes"
	ModelDescription = "Fovea demo model: classifies the synthetic shapes scene (empty, circle, square, triangle, star); trained and int8-quantized in pure Go by fovea train-demo"
)

// Operator versions as the TFLite converter writes them for int8 models.
var opVersions = map[schema.BuiltinOperator]int32{
	schema.OpConv2D:         3, // int8 per-channel
	schema.OpAveragePool2D:  2, // int8
	schema.OpFullyConnected: 4, // int8
	schema.OpSoftmax:        2, // int8
}

// builder accumulates tensors and constant buffers of one subgraph.
type builder struct {
	m   *schema.Model
	sg  *schema.Subgraph
	ops map[schema.BuiltinOperator]uint32
}

func (b *builder) tensor(name string, typ schema.TensorType, shape []int32, data []byte, q *schema.Quantization) int32 {
	var buf uint32
	if data != nil {
		b.m.Buffers = append(b.m.Buffers, data)
		buf = uint32(len(b.m.Buffers) - 1)
	}
	b.sg.Tensors = append(b.sg.Tensors, schema.Tensor{Name: name, Type: typ, Shape: shape, Buffer: buf, Quant: q})
	return int32(len(b.sg.Tensors) - 1)
}

func (b *builder) op(code schema.BuiltinOperator, in, out []int32, opts any) {
	idx, ok := b.ops[code]
	if !ok {
		b.m.OperatorCodes = append(b.m.OperatorCodes, schema.OperatorCode{Builtin: code, Version: opVersions[code]})
		idx = uint32(len(b.m.OperatorCodes) - 1)
		b.ops[code] = idx
	}
	b.sg.Operators = append(b.sg.Operators, schema.Operator{OpcodeIndex: idx, Inputs: in, Outputs: out, Options: opts})
}

func perTensor(q QParams) *schema.Quantization {
	return &schema.Quantization{Scale: []float32{q.Scale}, ZeroPoint: []int64{int64(q.ZeroPoint)}}
}

// symmetric is per-channel (or, with one scale, per-tensor) quantization
// with zero points 0 along dimension 0.
func symmetric(scales []float32) *schema.Quantization {
	return &schema.Quantization{Scale: append([]float32(nil), scales...), ZeroPoint: make([]int64, len(scales))}
}

func int8Bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

func int32Bytes(v []int32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

// Schema builds the TFLite model: input int8 [1,S,S,3] → CONV_2D (stride
// 2, SAME, fused ReLU) × L → AVERAGE_POOL_2D over the whole map →
// FULLY_CONNECTED → SOFTMAX, output int8 [1, classes].
func (q *QModel) Schema() *schema.Model {
	m := &schema.Model{Version: 3, Description: ModelDescription, Buffers: [][]byte{nil}}
	m.Subgraphs = []schema.Subgraph{{Name: "main"}}
	b := &builder{m: m, sg: &m.Subgraphs[0], ops: map[schema.BuiltinOperator]uint32{}}
	s := int32(q.Size)
	cur := b.tensor("input", schema.Int8, []int32{1, s, s, 3}, nil, perTensor(q.Input))
	b.sg.Inputs = []int32{cur}
	side := q.Size
	for i, c := range q.Convs {
		name := fmt.Sprintf("conv%d", i+1)
		w := b.tensor(name+"/weights", schema.Int8, []int32{int32(c.Out), int32(c.K), int32(c.K), int32(c.In)}, int8Bytes(c.W), symmetric(c.WScales))
		bias := b.tensor(name+"/bias", schema.Int32, []int32{int32(c.Out)}, int32Bytes(c.Bias), symmetric(c.BiasScales))
		side, _ = (&Conv{K: c.K, Stride: c.Stride}).outSize(side)
		out := b.tensor(name+"/relu", schema.Int8, []int32{1, int32(side), int32(side), int32(c.Out)}, nil, perTensor(c.Output))
		b.op(schema.OpConv2D, []int32{cur, w, bias}, []int32{out}, &schema.Conv2DOptions{
			Padding: schema.PaddingSame, StrideW: int32(c.Stride), StrideH: int32(c.Stride),
			DilationW: 1, DilationH: 1, Activation: schema.ActRelu})
		cur = out
	}
	f := int32(q.Features())
	last := q.Convs[len(q.Convs)-1].Output
	pooled := b.tensor("pool", schema.Int8, []int32{1, 1, 1, f}, nil, perTensor(last))
	b.op(schema.OpAveragePool2D, []int32{cur}, []int32{pooled}, &schema.Pool2DOptions{
		Padding: schema.PaddingValid, StrideW: 1, StrideH: 1,
		FilterWidth: int32(side), FilterHeight: int32(side)})
	classes := int32(len(q.FCBias))
	fw := b.tensor("fc/weights", schema.Int8, []int32{classes, f}, int8Bytes(q.FCW), symmetric([]float32{q.FCScale}))
	fb := b.tensor("fc/bias", schema.Int32, []int32{classes}, int32Bytes(q.FCBias), symmetric(q.FCBiasS[:1]))
	logits := b.tensor("logits", schema.Int8, []int32{1, classes}, nil, perTensor(q.Logits))
	b.op(schema.OpFullyConnected, []int32{pooled, fw, fb}, []int32{logits}, &schema.FullyConnectedOptions{})
	probs := b.tensor("probabilities", schema.Int8, []int32{1, classes}, nil, perTensor(q.Output))
	b.op(schema.OpSoftmax, []int32{logits}, []int32{probs}, &schema.SoftmaxOptions{Beta: 1})
	b.sg.Outputs = []int32{probs}
	return m
}

// TFLite returns the .tflite file: the model with TFLite Support metadata
// and the labels embedded.
func (q *QModel) TFLite(version string) ([]byte, error) {
	data, err := schema.WithLabels(q.Schema(), schema.LabelInfo{
		Name: ModelName, Version: version, Description: ModelDescription, Labels: q.Labels})
	if err != nil {
		return nil, fmt.Errorf("train.TFLite: %w", err)
	}
	return data, nil
}
