package schema

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/fovea-edge/fovea/infer/modelerr"
)

var update = flag.Bool("update", false, "rewrite the files in testdata/ from the test models")

// tinyModel is a small quantized classifier built in Go: uint8 input
// [1,2,2,3] → CONV_2D (per-channel int8 weights [4,1,1,3], int32 bias) →
// ADD with itself → MEAN over H,W → RESHAPE [1,4] → SOFTMAX. It uses every
// options type the writer knows on some operator, per-channel and
// per-tensor quantization, a signature def and metadata.
func tinyModel() *Model {
	le32 := func(v ...int32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
		}
		return b
	}
	q := func(scale float32, zp int64) *Quantization {
		return &Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zp}}
	}
	return &Model{
		Version:     SchemaVersion,
		Description: "fovea tiny test model",
		OperatorCodes: []OperatorCode{
			{Builtin: OpConv2D, Version: 3},
			{Builtin: OpAdd, Version: 1},
			{Builtin: OpMean, Version: 2},
			{Builtin: OpReshape, Version: 1},
			{Builtin: OpSoftmax, Version: 1},
			{Builtin: OpHardSwish, Version: 1},
		},
		Subgraphs: []Subgraph{{
			Name: "main",
			Tensors: []Tensor{
				{Name: "input", Type: UInt8, Shape: []int32{1, 2, 2, 3}, ShapeSignature: []int32{-1, 2, 2, 3}, Quant: q(0.0078125, 128)},
				{Name: "conv/weights", Type: Int8, Shape: []int32{4, 1, 1, 3}, Buffer: 1, Quant: &Quantization{
					Scale: []float32{0.01, 0.02, 0.03, 0.04}, ZeroPoint: []int64{0, 0, 0, 0}}},
				{Name: "conv/bias", Type: Int32, Shape: []int32{4}, Buffer: 2, Quant: &Quantization{
					Scale: []float32{7.8125e-5, 1.5625e-4, 2.34375e-4, 3.125e-4}, ZeroPoint: []int64{0, 0, 0, 0}}},
				{Name: "conv", Type: UInt8, Shape: []int32{1, 2, 2, 4}, Quant: &Quantization{Scale: []float32{0.05}, ZeroPoint: []int64{3}, Min: []float32{-0.15}, Max: []float32{12.6}}},
				{Name: "add", Type: UInt8, Shape: []int32{1, 2, 2, 4}, Quant: q(0.1, 3)},
				{Name: "mean/axes", Type: Int32, Shape: []int32{2}, Buffer: 3},
				{Name: "mean", Type: UInt8, Shape: []int32{1, 1, 1, 4}, Quant: q(0.1, 3)},
				{Name: "reshape/shape", Type: Int32, Shape: []int32{2}, Buffer: 4},
				{Name: "logits", Type: UInt8, Shape: []int32{1, 4}, Quant: q(0.1, 3)},
				{Name: "probs", Type: UInt8, Shape: []int32{1, 4}, Quant: q(0.00390625, 0)},
			},
			Inputs:  []int32{0},
			Outputs: []int32{9},
			Operators: []Operator{
				{OpcodeIndex: 0, Inputs: []int32{0, 1, 2}, Outputs: []int32{3}, Options: &Conv2DOptions{
					Padding: PaddingSame, StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1, Activation: ActRelu6}},
				{OpcodeIndex: 1, Inputs: []int32{3, 3}, Outputs: []int32{4}, Options: &AddOptions{Activation: ActNone, PotScaleInt16: true}},
				{OpcodeIndex: 2, Inputs: []int32{4, 5}, Outputs: []int32{6}, Options: &ReducerOptions{KeepDims: true}},
				{OpcodeIndex: 3, Inputs: []int32{6, 7}, Outputs: []int32{8}, Options: &ReshapeOptions{NewShape: []int32{1, 4}}},
				{OpcodeIndex: 4, Inputs: []int32{8}, Outputs: []int32{9}, Options: &SoftmaxOptions{Beta: 1}},
			},
		}},
		Buffers: [][]byte{
			nil,
			{1, 2, 3, 0xff, 0xfe, 0xfd, 4, 5, 6, 0x80, 0x7f, 0},
			le32(100, -200, 300, -400),
			le32(1, 2),
			le32(1, 4),
			[]byte("1.14.0"),
		},
		Metadata:      []Metadata{{Name: "min_runtime_version", Buffer: 5}},
		SignatureDefs: []SignatureDef{{Key: "serving_default", Inputs: []TensorMap{{Name: "input", TensorIndex: 0}}, Outputs: []TensorMap{{Name: "probs", TensorIndex: 9}}}},
	}
}

var tinyLabels = LabelInfo{
	Name:        "tiny",
	Version:     "v1",
	Description: "four classes",
	Labels:      []string{"cat", "dog", "bird, small", "none"},
	Mean:        []float32{127.5},
	Std:         []float32{127.5},
}

// testdataFile compares data with testdata/name, or rewrites the file
// with -update.
func testdataFile(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(data, want) {
		t.Errorf("output differs from %s (%d vs %d bytes); if the change is intended, rerun with -update", path, len(data), len(want))
	}
}

func TestTinyModelRoundTrip(t *testing.T) {
	m := tinyModel()
	if err := Validate(m); err != nil {
		t.Fatalf("Validate(tinyModel) = %v", err)
	}
	data, err := Marshal(m)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	testdataFile(t, "tiny_quant.tflite", data)
	got, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(Marshal(tinyModel)) = %v", err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Parse(Marshal(m)) differs from m:\ngot  %+v\nwant %+v", got, m)
	}

	withLabels, err := WithLabels(m, tinyLabels)
	if err != nil {
		t.Fatalf("WithLabels: %v", err)
	}
	testdataFile(t, "tiny_labels.tflite", withLabels)
	if err := Validate(m); err != nil {
		t.Fatalf("WithLabels changed its input model: %v", err)
	}
	if !reflect.DeepEqual(m, tinyModel()) {
		t.Errorf("WithLabels modified its input model")
	}
}

func TestMarshalLayout(t *testing.T) {
	m := tinyModel()
	m.OperatorCodes = append(m.OperatorCodes, OperatorCode{Builtin: 150, Version: 1}) // GELU: > 127
	data, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[4:8]) != Identifier {
		t.Errorf("identifier = %q; want %q", data[4:8], Identifier)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || len(got.Buffers[0]) != 0 {
		t.Errorf("version %d, buffer 0 %d bytes; want 3 and empty", got.Version, len(got.Buffers[0]))
	}
	// Constant data must start 16-byte aligned within the file.
	for i, b := range got.Buffers {
		if len(b) == 0 {
			continue
		}
		// Parse aliases the file, so the slice's address gives its offset.
		off := uintptr(unsafe.Pointer(&b[0])) - uintptr(unsafe.Pointer(&data[0]))
		if off%dataAlign != 0 {
			t.Errorf("buffer %d starts at file offset %d, not 16-byte aligned", i, off)
		}
	}
	// Both opcode fields: deprecated_builtin_code is min(code, 127).
	d := newDecoder(data)
	root, err := d.root("model")
	if err != nil {
		t.Fatal(err)
	}
	codes, err := root.tables(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, oc := range m.OperatorCodes {
		ct, err := codes.at(i, "code")
		if err != nil {
			t.Fatal(err)
		}
		dep, _ := ct.i8(0, 0)
		code, _ := ct.i32(3, 0)
		if want := int8(min(int32(oc.Builtin), 127)); dep != want || code != int32(oc.Builtin) {
			t.Errorf("operator code %d: deprecated %d, builtin %d; want %d, %d", i, dep, code, want, oc.Builtin)
		}
	}
}

func TestMarshalRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *Model)
		want   string
	}{
		{"nonempty buffer 0", func(m *Model) { m.Buffers[0] = []byte{1} }, "buffer 0 holds 1 bytes"},
		{"buffer index", func(m *Model) { m.Subgraphs[0].Tensors[1].Buffer = 99 }, "buffer index 99 out of range"},
		{"opcode index", func(m *Model) { m.Subgraphs[0].Operators[0].OpcodeIndex = 42 }, "opcode index 42 out of range"},
		{"wrong options", func(m *Model) { m.Subgraphs[0].Operators[0].Options = &AddOptions{} }, "carries options of type *schema.AddOptions"},
		{"options for op without", func(m *Model) { m.Subgraphs[0].Operators[0].OpcodeIndex = 5 }, "carries options of type *schema.Conv2DOptions"},
		{"foreign options", func(m *Model) { m.Subgraphs[0].Operators[4].Options = struct{}{} }, "carries options of type struct {}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tinyModel()
			tt.mutate(m)
			_, err := Marshal(m)
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
				t.Errorf("Marshal = %v; want error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Marshal(nil); err == nil {
		t.Errorf("Marshal(nil) = nil error")
	}
}

func TestWithLabelsReadBack(t *testing.T) {
	data, err := WithLabels(tinyModel(), tinyLabels)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if err := Validate(m); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	md, err := ReadMetadata(m, data)
	if err != nil || md == nil {
		t.Fatalf("ReadMetadata = %v, %v", md, err)
	}
	if md.Name != "tiny" || md.Version != "v1" || md.Description != "four classes" {
		t.Errorf("metadata name/version/description = %q %q %q", md.Name, md.Version, md.Description)
	}
	mean, std := md.Normalization()
	if !reflect.DeepEqual(mean, []float32{127.5}) || !reflect.DeepEqual(std, []float32{127.5}) {
		t.Errorf("Normalization() = %v, %v; want [127.5], [127.5]", mean, std)
	}
	if got := md.LabelFile(); got != LabelsFileName {
		t.Errorf("LabelFile() = %q; want %q", got, LabelsFileName)
	}
	if got := md.Subgraphs[0].Outputs[0].AssociatedFiles[0].Type; got != FileTensorAxisLabels {
		t.Errorf("labels file type = %v; want TENSOR_AXIS_LABELS", got)
	}
	for _, mm := range []*Model{m, nil} {
		labels, err := Labels(data, mm)
		if err != nil || !reflect.DeepEqual(labels, tinyLabels.Labels) {
			t.Errorf("Labels = %q, %v; want %q", labels, err, tinyLabels.Labels)
		}
	}
	// Writing labels again replaces the metadata rather than adding more.
	again, err := WithLabels(m, LabelInfo{Labels: []string{"a", "b", "c", "d"}})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Parse(again)
	if err != nil {
		t.Fatal(err)
	}
	if len(m2.Metadata) != len(m.Metadata) || len(m2.Buffers) != len(m.Buffers) {
		t.Errorf("second WithLabels: %d metadata, %d buffers; want %d, %d", len(m2.Metadata), len(m2.Buffers), len(m.Metadata), len(m.Buffers))
	}
	if labels, err := Labels(again, m2); err != nil || !reflect.DeepEqual(labels, []string{"a", "b", "c", "d"}) {
		t.Errorf("Labels after rewrite = %q, %v", labels, err)
	}
}

func TestWithLabelsRefuses(t *testing.T) {
	tests := []struct {
		name string
		m    *Model
		info LabelInfo
	}{
		{"nil model", nil, LabelInfo{Labels: []string{"a"}}},
		{"no labels", tinyModel(), LabelInfo{}},
		{"line break", tinyModel(), LabelInfo{Labels: []string{"a\nb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := WithLabels(tt.m, tt.info); err == nil {
				t.Errorf("WithLabels = nil error; want one")
			}
		})
	}
}

func TestLabelsWithoutMetadata(t *testing.T) {
	plain, err := Marshal(tinyModel())
	if err != nil {
		t.Fatal(err)
	}
	if labels, err := Labels(plain, nil); labels != nil || err != nil {
		t.Errorf("Labels(model without zip) = %q, %v; want nil, nil", labels, err)
	}
	if md, err := ReadMetadata(nil, plain); md != nil || err != nil {
		t.Errorf("ReadMetadata(model without metadata) = %v, %v; want nil, nil", md, err)
	}
	withZip, err := WithLabels(tinyModel(), tinyLabels)
	if err != nil {
		t.Fatal(err)
	}
	// Drop the metadata entry: the fallback finds labels.txt by name.
	m, err := Parse(withZip)
	if err != nil {
		t.Fatal(err)
	}
	m.Metadata = m.Metadata[:1]
	if labels, err := Labels(withZip, m); err != nil || !reflect.DeepEqual(labels, tinyLabels.Labels) {
		t.Errorf("Labels without metadata = %q, %v; want %q", labels, err, tinyLabels.Labels)
	}
	// Metadata names a file the zip lacks: a clear error.
	m2, _ := Parse(withZip)
	if _, err := Labels(plain, m2); err == nil || !errors.Is(err, modelerr.ErrMalformed) {
		t.Errorf("Labels(metadata without zip) = %v; want ErrMalformed", err)
	}
}

func TestSplitLabels(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\r\nb\r\n", []string{"a", "b"}},
		{"a\n\nc\n", []string{"a", "", "c"}},
	}
	for _, tt := range tests {
		if got := splitLabels([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitLabels(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{OpConv2D.String(), "CONV_2D"},
		{OpDepthwiseConv2D.String(), "DEPTHWISE_CONV_2D"},
		{BuiltinOperator(23).String(), "RESIZE_BILINEAR"},
		{OpHardSwish.String(), "HARD_SWISH"},
		{BuiltinOperator(127).String(), "PLACEHOLDER_FOR_GREATER_OP_CODES"},
		{BuiltinOperator(150).String(), "GELU"},
		{BuiltinOperator(207).String(), "COMPLEX"},
		{BuiltinOperator(208).String(), "BUILTIN_OPERATOR(208)"},
		{BuiltinOperator(-1).String(), "BUILTIN_OPERATOR(-1)"},
		{Int8.String(), "INT8"},
		{BFloat16.String(), "BFLOAT16"},
		{TensorType(42).String(), "TENSOR_TYPE(42)"},
		{OperatorCode{Builtin: OpCustom, CustomCode: "x"}.Name(), "x"},
		{FileTensorAxisLabels.String(), "TENSOR_AXIS_LABELS"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
	sizes := map[TensorType]int{Float32: 4, Int8: 1, Int64: 8, Int4: 1, String: 0, Complex128: 16, TensorType(99): 0}
	for typ, want := range sizes {
		if got := typ.Size(); got != want {
			t.Errorf("%v.Size() = %d; want %d", typ, got, want)
		}
	}
	if n, ok := Int4.ByteSize(5); n != 3 || !ok {
		t.Errorf("Int4.ByteSize(5) = %d, %v; want 3, true", n, ok)
	}
}

// A labels entry that inflates past MaxLabelsBytes is refused, not read.
func TestLabelsZipBomb(t *testing.T) {
	m := tinyModel()
	m.Buffers = append(m.Buffers, encodeMetadata(m, tinyLabels))
	m.Metadata = append(m.Metadata, Metadata{Name: MetadataName, Buffer: uint32(len(m.Buffers) - 1)})
	model, err := Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Write(model)
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(len(model)))
	w, err := zw.CreateHeader(&zip.FileHeader{Name: LabelsFileName, Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte("a\n"), MaxLabelsBytes)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > len(model)+64<<10 {
		t.Fatalf("test zip is %d bytes; want a small, highly compressed entry", buf.Len()-len(model))
	}
	_, err = Labels(buf.Bytes(), nil)
	if err == nil || !errors.Is(err, modelerr.ErrMalformed) || !strings.Contains(err.Error(), "cap") {
		t.Errorf("Labels(8 MiB labels deflated to %d bytes) = %v; want ErrMalformed naming the cap", buf.Len()-len(model), err)
	}
}
