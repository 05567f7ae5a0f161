package schema

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fovea-edge/fovea/infer/modelerr"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// addSeeds adds the small models of testdata/ and, when the shared assets
// are present, two small bad models, as fuzz seeds (large seeds make
// minimisation too slow to be useful).
func addSeeds(f *testing.F) {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.tflite"))
	if root := sharedtest.Find(); root != "" {
		for _, name := range []string{
			"golden/bad/model_invoking_error.tflite",
			"golden/bad/truncated_4096.tflite",
		} {
			paths = append(paths, filepath.Join(root, name))
		}
	}
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if !errors.Is(err, modelerr.ErrMalformed) && !errors.Is(err, modelerr.ErrUnsupported) {
				t.Fatalf("Parse error %q wraps neither ErrMalformed nor ErrUnsupported", err)
			}
			return
		}
		if _, err := ReadMetadata(m, data); err != nil && !errors.Is(err, modelerr.ErrMalformed) {
			t.Fatalf("ReadMetadata error %q does not wrap ErrMalformed", err)
		}
		if _, err := Labels(data, m); err != nil && !errors.Is(err, modelerr.ErrMalformed) {
			t.Fatalf("Labels error %q does not wrap ErrMalformed", err)
		}
		if Validate(m) != nil || len(m.Buffers) == 0 {
			return
		}
		// A valid model survives the writer: writing what was read back
		// gives the same bytes (compared as bytes, since NaN != NaN).
		out, err := Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(valid parsed model) = %v", err)
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)) = %v", err)
		}
		out2, err := Marshal(m2)
		if err != nil {
			t.Fatalf("Marshal(Parse(Marshal(m))) = %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("Marshal(Parse(Marshal(m))) differs from Marshal(m)")
		}
	})
}

// fuzzReader draws values from fuzz bytes; exhausted input reads as zeros.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) intn(n int) int { return int(r.byte()) % n }

func (r *fuzzReader) bool() bool { return r.byte()&1 == 1 }

func (r *fuzzReader) i32() int32 {
	return int32(uint32(r.byte()) | uint32(r.byte())<<8 | uint32(r.byte())<<16 | uint32(r.byte())<<24)
}

func (r *fuzzReader) bytes(max int) []byte {
	n := r.intn(max + 1)
	if n == 0 {
		return nil
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = r.byte()
	}
	return out
}

func (r *fuzzReader) str() string { return string(r.bytes(8)) }

// ints returns nil or 1..max small values (the canonical form Parse gives).
func (r *fuzzReader) ints(max int, lo, span int32) []int32 {
	n := r.intn(max + 1)
	if n == 0 {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = lo + int32(r.intn(int(span)))
	}
	return out
}

// floats are finite so that reflect.DeepEqual can compare them.
func (r *fuzzReader) floats(max int) []float32 {
	n := r.intn(max + 1)
	if n == 0 {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(int8(r.byte())) / 8
	}
	return out
}

var fuzzOps = []BuiltinOperator{OpAdd, OpAveragePool2D, OpConcatenation, OpConv2D, OpDepthwiseConv2D, OpDequantize,
	OpFullyConnected, OpLogistic, OpMaxPool2D, OpMul, OpRelu, OpReshape, OpSoftmax, OpCustom, OpPad, OpMean,
	OpSqueeze, OpQuantize, OpHardSwish, OpSum, OpL2Pool2D, 150, 207}

func (r *fuzzReader) options(op BuiltinOperator) any {
	act := func() Activation { return Activation(r.intn(6)) }
	switch optionsUnion(op) {
	case unionConv2DOptions:
		return &Conv2DOptions{Padding(r.intn(2)), r.i32(), r.i32(), r.i32(), r.i32(), act()}
	case unionDepthwiseConv2DOptions:
		return &DepthwiseConv2DOptions{Padding(r.intn(2)), r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), act()}
	case unionPool2DOptions:
		return &Pool2DOptions{Padding(r.intn(2)), r.i32(), r.i32(), r.i32(), r.i32(), act()}
	case unionFullyConnectedOptions:
		return &FullyConnectedOptions{act(), int8(r.intn(2)), r.bool(), r.bool()}
	case unionSoftmaxOptions:
		return &SoftmaxOptions{Beta: float32(r.intn(64)) / 16}
	case unionConcatenationOptions:
		return &ConcatenationOptions{r.i32(), act()}
	case unionAddOptions:
		return &AddOptions{act(), r.bool()}
	case unionReshapeOptions:
		return &ReshapeOptions{NewShape: r.ints(4, -1, 8)}
	case unionMulOptions:
		return &MulOptions{act()}
	case unionReducerOptions:
		return &ReducerOptions{r.bool()}
	case unionSqueezeOptions:
		return &SqueezeOptions{SqueezeDims: r.ints(4, 0, 4)}
	}
	return nil
}

// model builds a random model whose indices are in range, in the
// canonical form Parse returns.
func (r *fuzzReader) model() *Model {
	m := &Model{Version: SchemaVersion, Description: r.str()}
	for n := 1 + r.intn(6); n > 0; n-- {
		oc := OperatorCode{Builtin: fuzzOps[r.intn(len(fuzzOps))], Version: int32(r.intn(4))}
		if oc.Builtin == OpCustom {
			oc.CustomCode = r.str()
		}
		m.OperatorCodes = append(m.OperatorCodes, oc)
	}
	m.Buffers = [][]byte{nil}
	for n := r.intn(4); n > 0; n-- {
		m.Buffers = append(m.Buffers, r.bytes(40))
	}
	for n := 1 + r.intn(2); n > 0; n-- {
		var sg Subgraph
		sg.Name = r.str()
		nt := 1 + r.intn(6)
		for i := 0; i < nt; i++ {
			tn := Tensor{
				Name:           r.str(),
				Type:           TensorType(r.intn(19)),
				Shape:          r.ints(4, 0, 6),
				ShapeSignature: r.ints(4, -1, 7),
				Buffer:         uint32(r.intn(len(m.Buffers))),
				IsVariable:     r.bool(),
			}
			if r.bool() {
				ns := 1 + r.intn(3)
				q := &Quantization{Min: r.floats(2), Max: r.floats(2), QuantizedDimension: int32(r.intn(4))}
				for k := 0; k < ns; k++ {
					q.Scale = append(q.Scale, float32(1+r.intn(100))/256)
					q.ZeroPoint = append(q.ZeroPoint, int64(int8(r.byte())))
				}
				tn.Quant = q
			}
			sg.Tensors = append(sg.Tensors, tn)
		}
		sg.Inputs = r.ints(3, 0, int32(nt))
		sg.Outputs = r.ints(3, 0, int32(nt))
		for n := r.intn(5); n > 0; n-- {
			op := Operator{OpcodeIndex: uint32(r.intn(len(m.OperatorCodes)))}
			op.Inputs = r.ints(4, -1, int32(nt+1))
			op.Outputs = r.ints(2, 0, int32(nt))
			op.Options = r.options(m.OperatorCodes[op.OpcodeIndex].Builtin)
			op.CustomOptions = r.bytes(6)
			sg.Operators = append(sg.Operators, op)
		}
		m.Subgraphs = append(m.Subgraphs, sg)
	}
	for n := r.intn(3); n > 0; n-- {
		m.Metadata = append(m.Metadata, Metadata{Name: r.str(), Buffer: uint32(r.intn(len(m.Buffers)))})
	}
	for n := r.intn(2); n > 0; n-- {
		sd := SignatureDef{Key: r.str(), SubgraphIndex: uint32(r.intn(len(m.Subgraphs)))}
		nt := len(m.Subgraphs[sd.SubgraphIndex].Tensors)
		for k := r.intn(3); k > 0; k-- {
			sd.Inputs = append(sd.Inputs, TensorMap{Name: r.str(), TensorIndex: uint32(r.intn(nt))})
		}
		for k := r.intn(3); k > 0; k-- {
			sd.Outputs = append(sd.Outputs, TensorMap{Name: r.str(), TensorIndex: uint32(r.intn(nt))})
		}
		m.SignatureDefs = append(m.SignatureDefs, sd)
	}
	return m
}

func FuzzMarshalRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("fovea tiny model seed with enough bytes to fill a few tensors and operators"))
	f.Add(bytes.Repeat([]byte{0xff, 0x03, 0x11, 0x80}, 64))
	f.Fuzz(func(t *testing.T, seed []byte) {
		m := (&fuzzReader{b: seed}).model()
		data, err := Marshal(m)
		if err != nil {
			t.Fatalf("Marshal = %v", err)
		}
		got, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)) = %v", err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("Parse(Marshal(m)) differs:\ngot  %+v\nwant %+v", got, m)
		}
		// Validate may refuse a random model, but must not panic.
		_ = Validate(got)
	})
}

// FuzzMetadata feeds the metadata decoder directly: the TFLITE_METADATA
// buffer is a FlatBuffer of its own inside the (untrusted) model.
func FuzzMetadata(f *testing.F) {
	f.Add(encodeMetadata(tinyModel(), tinyLabels))
	f.Add(encodeMetadata(tinyModel(), LabelInfo{Name: "x"}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := decodeMetadata(data)
		if err != nil {
			if !errors.Is(err, modelerr.ErrMalformed) {
				t.Fatalf("decodeMetadata error %q does not wrap ErrMalformed", err)
			}
			return
		}
		_ = md.LabelFile()
		_, _ = md.Normalization()
	})
}
