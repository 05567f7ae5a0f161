// Package schema is Fovea's in-memory form of a TensorFlow Lite model
// (FlatBuffer schema v3): plain Go structs that the parser fills from
// untrusted bytes after checking every offset, index and size, and that the
// writer turns back into a valid .tflite file.
//
// Only what Fovea executes or reports is kept. Constant tensor data aliases
// the file bytes given to Parse.
package schema

// TensorType is TFLite's TensorType enum (schema values).
type TensorType int8

// TFLite tensor types.
const (
	Float32   TensorType = 0
	Float16   TensorType = 1
	Int32     TensorType = 2
	UInt8     TensorType = 3
	Int64     TensorType = 4
	String    TensorType = 5
	Bool      TensorType = 6
	Int16     TensorType = 7
	Complex64 TensorType = 8
	Int8      TensorType = 9
	Float64   TensorType = 10
	// Types Fovea does not execute, named so errors can say which.
	Complex128 TensorType = 11
	UInt64     TensorType = 12
	Resource   TensorType = 13
	Variant    TensorType = 14
	UInt32     TensorType = 15
	UInt16     TensorType = 16
	Int4       TensorType = 17
	BFloat16   TensorType = 18
)

// BuiltinOperator is TFLite's BuiltinOperator enum (schema values).
type BuiltinOperator int32

// The builtin operators Fovea executes, plus CUSTOM. The parser keeps any
// other value as is, so errors can name it.
const (
	OpAdd             BuiltinOperator = 0
	OpAveragePool2D   BuiltinOperator = 1
	OpConcatenation   BuiltinOperator = 2
	OpConv2D          BuiltinOperator = 3
	OpDepthwiseConv2D BuiltinOperator = 4
	OpDequantize      BuiltinOperator = 6
	OpFullyConnected  BuiltinOperator = 9
	OpLogistic        BuiltinOperator = 14
	OpMaxPool2D       BuiltinOperator = 17
	OpMul             BuiltinOperator = 18
	OpRelu            BuiltinOperator = 19
	OpRelu6           BuiltinOperator = 21
	OpReshape         BuiltinOperator = 22
	OpSoftmax         BuiltinOperator = 25
	OpCustom          BuiltinOperator = 32
	OpPad             BuiltinOperator = 34
	OpTranspose       BuiltinOperator = 39
	OpMean            BuiltinOperator = 40
	OpSqueeze         BuiltinOperator = 43
	OpQuantize        BuiltinOperator = 114
	OpHardSwish       BuiltinOperator = 117
	// Operators that share an options table with one above.
	OpL2Pool2D   BuiltinOperator = 12
	OpSum        BuiltinOperator = 74
	OpReduceProd BuiltinOperator = 81
	OpReduceMax  BuiltinOperator = 82
	OpReduceMin  BuiltinOperator = 89
	OpReduceAny  BuiltinOperator = 91
)

// Padding is TFLite's Padding enum.
type Padding int8

// Paddings.
const (
	PaddingSame  Padding = 0
	PaddingValid Padding = 1
)

// Activation is TFLite's ActivationFunctionType enum.
type Activation int8

// Fused activations.
const (
	ActNone      Activation = 0
	ActRelu      Activation = 1
	ActReluN1To1 Activation = 2
	ActRelu6     Activation = 3
	ActTanh      Activation = 4
	ActSignBit   Activation = 5
)

// Model is a parsed .tflite file.
type Model struct {
	Version       uint32
	Description   string
	OperatorCodes []OperatorCode
	Subgraphs     []Subgraph
	// Buffers holds the raw bytes of each buffer (nil when empty). Data
	// aliases the parsed file.
	Buffers  [][]byte
	Metadata []Metadata
	// SignatureDefs map signature keys to tensor names (informational).
	SignatureDefs []SignatureDef
}

// OperatorCode identifies an operator kind. Builtin is the larger of the
// deprecated_builtin_code and builtin_code fields, as TFLite resolves it.
type OperatorCode struct {
	Builtin    BuiltinOperator
	CustomCode string
	Version    int32
}

// Subgraph is one graph of the model. Fovea executes subgraph 0.
type Subgraph struct {
	Name      string
	Tensors   []Tensor
	Inputs    []int32
	Outputs   []int32
	Operators []Operator
}

// Tensor describes a tensor; Buffer indexes Model.Buffers (0 = no data).
type Tensor struct {
	Name           string
	Type           TensorType
	Shape          []int32
	ShapeSignature []int32
	Buffer         uint32
	Quant          *Quantization // nil when not quantized
	IsVariable     bool
}

// Quantization is affine quantization, per tensor (one scale) or per
// channel along QuantizedDimension.
type Quantization struct {
	Min, Max           []float32
	Scale              []float32
	ZeroPoint          []int64
	QuantizedDimension int32
}

// Operator is one node of the graph. Inputs and Outputs index
// Subgraph.Tensors; -1 marks an omitted optional input. Options holds one of
// the *Options types below, or nil.
type Operator struct {
	OpcodeIndex uint32
	Inputs      []int32
	Outputs     []int32
	Options     any
	// CustomOptions are the raw bytes of a custom operator's options.
	CustomOptions []byte
}

// Conv2DOptions are CONV_2D's options.
type Conv2DOptions struct {
	Padding              Padding
	StrideW, StrideH     int32
	DilationW, DilationH int32
	Activation           Activation
}

// DepthwiseConv2DOptions are DEPTHWISE_CONV_2D's options.
type DepthwiseConv2DOptions struct {
	Padding              Padding
	StrideW, StrideH     int32
	DepthMultiplier      int32
	DilationW, DilationH int32
	Activation           Activation
}

// FullyConnectedOptions are FULLY_CONNECTED's options.
type FullyConnectedOptions struct {
	Activation Activation
	// WeightsFormat: 0 = DEFAULT, 1 = SHUFFLED4x16INT8.
	WeightsFormat int8
	KeepNumDims   bool
	// AsymmetricQuantizeInputs is for hybrid models (float input, int8
	// weights).
	AsymmetricQuantizeInputs bool
}

// Pool2DOptions are AVERAGE_POOL_2D's and MAX_POOL_2D's options.
type Pool2DOptions struct {
	Padding                   Padding
	StrideW, StrideH          int32
	FilterWidth, FilterHeight int32
	Activation                Activation
}

// AddOptions are ADD's options.
type AddOptions struct {
	Activation    Activation
	PotScaleInt16 bool
}

// MulOptions are MUL's options.
type MulOptions struct {
	Activation Activation
}

// ConcatenationOptions are CONCATENATION's options.
type ConcatenationOptions struct {
	Axis       int32
	Activation Activation
}

// SoftmaxOptions are SOFTMAX's options.
type SoftmaxOptions struct {
	Beta float32
}

// ReshapeOptions are RESHAPE's options (the new shape may also come as a
// second input tensor).
type ReshapeOptions struct {
	NewShape []int32
}

// SqueezeOptions are SQUEEZE's options.
type SqueezeOptions struct {
	SqueezeDims []int32
}

// ReducerOptions are MEAN's (and other reductions') options.
type ReducerOptions struct {
	KeepDims bool
}

// Metadata is a named buffer (e.g. "TFLITE_METADATA", "min_runtime_version").
type Metadata struct {
	Name   string
	Buffer uint32
}

// SignatureDef names a signature's inputs and outputs.
type SignatureDef struct {
	Key           string
	SubgraphIndex uint32
	Inputs        []TensorMap
	Outputs       []TensorMap
}

// TensorMap maps a signature name to a tensor index.
type TensorMap struct {
	Name        string
	TensorIndex uint32
}
