package schema

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer/modelerr"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Model)
		kind   error
		want   []string
	}{
		{"no subgraphs", func(m *Model) { m.Subgraphs = nil }, modelerr.ErrMalformed, []string{"no subgraphs"}},
		{"buffer 0 data", func(m *Model) { m.Buffers[0] = []byte{1} }, modelerr.ErrMalformed, []string{"buffer 0 holds 1 bytes"}},
		{"buffer index", func(m *Model) { m.Subgraphs[0].Tensors[1].Buffer = 900 }, modelerr.ErrMalformed,
			[]string{`subgraph 0 tensor 1 "conv/weights": buffer index 900 out of range (model has 6 buffers)`}},
		{"graph input index", func(m *Model) { m.Subgraphs[0].Inputs[0] = 10 }, modelerr.ErrMalformed, []string{"subgraph 0 input 0: tensor index 10 out of range (subgraph has 10 tensors)"}},
		{"graph output -1", func(m *Model) { m.Subgraphs[0].Outputs[0] = -1 }, modelerr.ErrMalformed, []string{"tensor index -1"}},
		{"operator input", func(m *Model) { m.Subgraphs[0].Operators[1].Inputs[1] = -7 }, modelerr.ErrMalformed, []string{"operator 1 (ADD) input 1: tensor index -7"}},
		{"opcode index", func(m *Model) { m.Subgraphs[0].Operators[1].OpcodeIndex = 6 }, modelerr.ErrMalformed, []string{"opcode index 6 out of range"}},
		{"metadata buffer", func(m *Model) { m.Metadata[0].Buffer = 6 }, modelerr.ErrMalformed, []string{`metadata 0 "min_runtime_version": buffer index 6`}},
		{"signature subgraph", func(m *Model) { m.SignatureDefs[0].SubgraphIndex = 1 }, modelerr.ErrMalformed, []string{"subgraph index 1 out of range"}},
		{"signature tensor", func(m *Model) { m.SignatureDefs[0].Outputs[0].TensorIndex = 10 }, modelerr.ErrMalformed, []string{`"probs" names tensor 10`}},
		{"unknown type", func(m *Model) { m.Subgraphs[0].Tensors[4].Type = 42 }, modelerr.ErrMalformed, []string{"tensor type 42 is not a TFLite type"}},
		{"negative dim", func(m *Model) { m.Subgraphs[0].Tensors[4].Shape[1] = -2 }, modelerr.ErrMalformed, []string{"dimension 1 of shape [1 -2 2 4] is negative"}},
		{"huge tensor", func(m *Model) { m.Subgraphs[0].Tensors[4].Shape = []int32{1 << 20, 1 << 20} }, modelerr.ErrMalformed, []string{"more elements than the 1024 MiB tensor cap"}},
		{"total over cap", func(m *Model) {
			m.Subgraphs[0].Tensors[4].Shape = []int32{1 << 29}
			m.Subgraphs[0].Tensors[6].Shape = []int32{1 << 29}
			m.Subgraphs[0].Tensors[8].Shape = []int32{1 << 29}
		}, modelerr.ErrMalformed, []string{"tensors need more than"}},
		{"overflowing product", func(m *Model) {
			m.Subgraphs[0].Tensors[4].Shape = []int32{math.MaxInt32, math.MaxInt32, math.MaxInt32, 0}
		}, modelerr.ErrMalformed, []string{"more elements than"}},
		{"constant size", func(m *Model) { m.Buffers[1] = m.Buffers[1][:11] }, modelerr.ErrMalformed,
			[]string{`tensor 1 "conv/weights": constant data in buffer 1 is 11 bytes, but INT8[4 1 1 3] needs 12`}},
		{"constant output", func(m *Model) { m.Subgraphs[0].Operators[0].Outputs[0] = 1 }, modelerr.ErrMalformed,
			[]string{`subgraph 0 operator 0 writes subgraph 0 tensor 1 "conv/weights", which holds constant data`}},
		{"constant input", func(m *Model) { m.Subgraphs[0].Inputs[0] = 2 }, modelerr.ErrMalformed, []string{`tensor 2 "conv/bias" holds constant data and cannot be an input`}},
		{"scale/zero point count", func(m *Model) { m.Subgraphs[0].Tensors[3].Quant.ZeroPoint = nil }, modelerr.ErrMalformed, []string{"1 scales but 0 zero points"}},
		{"quantized_dimension", func(m *Model) { m.Subgraphs[0].Tensors[2].Quant.QuantizedDimension = 3 }, modelerr.ErrMalformed,
			[]string{`tensor 2 "conv/bias": quantized_dimension must be in range [0, 1) for this rank-1 tensor, was 3`}},
		{"negative quantized_dimension", func(m *Model) { m.Subgraphs[0].Tensors[1].Quant.QuantizedDimension = -1 }, modelerr.ErrMalformed, []string{"was -1"}},
		{"per-channel count", func(m *Model) { m.Subgraphs[0].Tensors[1].Quant.QuantizedDimension = 3 }, modelerr.ErrMalformed,
			[]string{"4 scales, but per-channel quantization along dimension 3 of shape [4 1 1 3] needs 3"}},
		{"zero scale", func(m *Model) { m.Subgraphs[0].Tensors[4].Quant.Scale[0] = 0 }, modelerr.ErrMalformed, []string{"scale 0 is 0"}},
		{"NaN scale", func(m *Model) { m.Subgraphs[0].Tensors[4].Quant.Scale[0] = float32(math.NaN()) }, modelerr.ErrMalformed, []string{"scale 0 is NaN"}},
		{"uint8 zero point", func(m *Model) { m.Subgraphs[0].Tensors[4].Quant.ZeroPoint[0] = 256 }, modelerr.ErrMalformed, []string{"zero point 0 is 256, outside the UINT8 range [0, 255]"}},
		{"int8 zero point", func(m *Model) { m.Subgraphs[0].Tensors[1].Quant.ZeroPoint[2] = -129 }, modelerr.ErrMalformed, []string{"zero point 2 is -129"}},
		{"custom op", func(m *Model) {
			m.OperatorCodes[5] = OperatorCode{Builtin: OpCustom, CustomCode: "TFLite_Detection_PostProcess"}
			m.Subgraphs[0].Operators = append(m.Subgraphs[0].Operators, Operator{OpcodeIndex: 5, Inputs: []int32{9}, Outputs: []int32{9}})
		}, modelerr.ErrUnsupported, []string{`custom op "TFLite_Detection_PostProcess", which Fovea does not implement`}},
		{"flex op", func(m *Model) {
			m.OperatorCodes[5] = OperatorCode{Builtin: OpCustom, CustomCode: "FlexErf"}
			m.Subgraphs[0].Operators = append(m.Subgraphs[0].Operators, Operator{OpcodeIndex: 5, Inputs: []int32{9}, Outputs: []int32{9}})
		}, modelerr.ErrUnsupported, []string{"Flex delegate"}},
		{"unknown builtin", func(m *Model) { m.OperatorCodes[1].Builtin = 4000 }, modelerr.ErrMalformed, []string{"builtin operator code 4000 is not a TFLite operator"}},
		{"missing options", func(m *Model) { m.Subgraphs[0].Operators[0].Options = nil }, modelerr.ErrMalformed, []string{"operator 0 (CONV_2D): options are <nil>"}},
		{"wrong options", func(m *Model) { m.Subgraphs[0].Operators[0].Options = &MulOptions{} }, modelerr.ErrMalformed, []string{"options are *schema.MulOptions"}},
		{"options on op without", func(m *Model) {
			m.Subgraphs[0].Operators = append(m.Subgraphs[0].Operators, Operator{OpcodeIndex: 5, Inputs: []int32{9}, Outputs: []int32{9}, Options: &AddOptions{}})
		}, modelerr.ErrMalformed, []string{"HARD_SWISH): carries options"}},
		{"zero stride", func(m *Model) { m.Subgraphs[0].Operators[0].Options.(*Conv2DOptions).StrideH = 0 }, modelerr.ErrMalformed, []string{"stride 0 must be at least 1"}},
		{"zero dilation", func(m *Model) { m.Subgraphs[0].Operators[0].Options.(*Conv2DOptions).DilationW = 0 }, modelerr.ErrMalformed, []string{"dilation 0 must be at least 1"}},
		{"bad padding and activation", func(m *Model) {
			o := m.Subgraphs[0].Operators[0].Options.(*Conv2DOptions)
			o.Padding, o.Activation = 2, 9
		}, modelerr.ErrMalformed, []string{"padding 2 is neither SAME (0) nor VALID (1)", "fused activation 9"}},
		{"many problems listed", func(m *Model) {
			for i := range m.Subgraphs[0].Tensors {
				m.Subgraphs[0].Tensors[i].Type = 77
			}
			m.Subgraphs[0].Operators[0].Options.(*Conv2DOptions).StrideW = 0
		}, modelerr.ErrMalformed, []string{"tensor 0 \"input\"", "tensor 9 \"probs\"", "(further problems not listed)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinyModel()
			tt.mutate(m)
			err := Validate(m)
			if err == nil {
				t.Fatal("Validate = nil; want an error")
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("Validate = %q; does not wrap %v", err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q; want it to contain %q", err, w)
				}
			}
		})
	}
	if err := Validate(nil); err == nil {
		t.Error("Validate(nil) = nil; want an error")
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Model)
	}{
		{"as built", func(m *Model) {}},
		{"optional input -1", func(m *Model) { m.Subgraphs[0].Operators[0].Inputs[2] = -1 }},
		{"min and max without scale: not quantized", func(m *Model) {
			m.Subgraphs[0].Tensors[4].Quant = &Quantization{Min: []float32{0}, Max: []float32{1}}
		}},
		{"scalar tensor", func(m *Model) { m.Subgraphs[0].Tensors[4].Shape = nil }},
		{"zero-sized dimension", func(m *Model) { m.Subgraphs[0].Tensors[4].Shape = []int32{0, 4} }},
		{"non-constant buffer index", func(m *Model) { m.Buffers = append(m.Buffers, nil); m.Subgraphs[0].Tensors[4].Buffer = 6 }},
		{"string tensor data of any size", func(m *Model) {
			m.Buffers = append(m.Buffers, []byte{1, 0, 0, 0, 5})
			m.Subgraphs[0].Tensors = append(m.Subgraphs[0].Tensors, Tensor{Name: "s", Type: String, Shape: []int32{1}, Buffer: 6})
		}},
		{"int4 packed", func(m *Model) {
			m.Buffers = append(m.Buffers, []byte{1, 2, 3})
			m.Subgraphs[0].Tensors = append(m.Subgraphs[0].Tensors, Tensor{Name: "w4", Type: Int4, Shape: []int32{5}, Buffer: 6})
		}},
		{"unknown but real builtin", func(m *Model) { m.OperatorCodes[5].Builtin = 23 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinyModel()
			tt.mutate(m)
			if err := Validate(m); err != nil {
				t.Errorf("Validate = %v; want nil", err)
			}
		})
	}
}
