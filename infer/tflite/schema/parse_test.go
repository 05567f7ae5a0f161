package schema

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/fovea-edge/fovea/infer/modelerr"
)

// raw describes a hand-built FlatBuffer model with one subgraph of two
// tensors and one operator, for the cases Marshal never writes.
type raw struct {
	version   uint32
	codes     []rawCode
	utype     uint8                                             // builtin_options union type
	options   func(b *flatbuffers.Builder) flatbuffers.UOffsetT // options table, may be nil
	buffer1   func(b *flatbuffers.Builder) flatbuffers.UOffsetT // table of buffer 1, may be nil
	tensor0   func(b *flatbuffers.Builder)                      // extra fields of tensor 0 (inside its table)
	tensorBuf uint32                                            // buffer index of tensor 0
	opcodeIdx uint32
	tail      []byte // bytes appended after the FlatBuffer
}

type rawCode struct {
	dep     int8
	code    int32
	hasDep  bool
	hasCode bool
	custom  string
}

func (r raw) build() []byte {
	b := flatbuffers.NewBuilder(256)
	codes := make([]flatbuffers.UOffsetT, len(r.codes))
	for i, c := range r.codes {
		var custom flatbuffers.UOffsetT
		if c.custom != "" {
			custom = b.CreateString(c.custom)
		}
		b.StartObject(4)
		if c.hasDep {
			b.PrependInt8(c.dep) // force the field even when 0
			b.Slot(0)
		}
		if custom != 0 {
			b.PrependUOffsetTSlot(1, custom, 0)
		}
		if c.hasCode {
			b.PrependInt32(c.code)
			b.Slot(3)
		}
		codes[i] = b.EndObject()
	}
	codeVec := tableVector(b, codes)

	var b1 flatbuffers.UOffsetT
	if r.buffer1 != nil {
		b1 = r.buffer1(b)
	} else {
		b.StartObject(3)
		b1 = b.EndObject()
	}
	b.StartObject(3)
	b0 := b.EndObject()
	bufVec := tableVector(b, []flatbuffers.UOffsetT{b0, b1})

	var tensors [2]flatbuffers.UOffsetT
	for i := range tensors {
		shape := int32VectorAlways(b, []int32{1, 4})
		b.StartObject(8)
		b.PrependUOffsetTSlot(0, shape, 0)
		b.PrependInt8Slot(1, int8(Float32), 0)
		if i == 0 {
			b.PrependUint32Slot(2, r.tensorBuf, 0)
			if r.tensor0 != nil {
				r.tensor0(b)
			}
		}
		tensors[i] = b.EndObject()
	}
	tensorVec := tableVector(b, tensors[:])
	var opts flatbuffers.UOffsetT
	if r.options != nil {
		opts = r.options(b)
	}
	ins, outs := int32VectorAlways(b, []int32{0}), int32VectorAlways(b, []int32{1})
	b.StartObject(7)
	b.PrependUint32Slot(0, r.opcodeIdx, 0)
	b.PrependUOffsetTSlot(1, ins, 0)
	b.PrependUOffsetTSlot(2, outs, 0)
	b.PrependUint8Slot(3, r.utype, 0)
	if opts != 0 {
		b.PrependUOffsetTSlot(4, opts, 0)
	}
	op := b.EndObject()
	opVec := tableVector(b, []flatbuffers.UOffsetT{op})
	sgIn, sgOut := int32VectorAlways(b, []int32{0}), int32VectorAlways(b, []int32{1})
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, tensorVec, 0)
	b.PrependUOffsetTSlot(1, sgIn, 0)
	b.PrependUOffsetTSlot(2, sgOut, 0)
	b.PrependUOffsetTSlot(3, opVec, 0)
	sg := b.EndObject()
	sgVec := tableVector(b, []flatbuffers.UOffsetT{sg})

	b.StartObject(8)
	b.PrependUint32Slot(0, r.version, 0)
	b.PrependUOffsetTSlot(1, codeVec, 0)
	b.PrependUOffsetTSlot(2, sgVec, 0)
	b.PrependUOffsetTSlot(4, bufVec, 0)
	b.FinishWithFileIdentifier(b.EndObject(), []byte(Identifier))
	return append(append([]byte(nil), b.FinishedBytes()...), r.tail...)
}

func baseRaw() raw {
	return raw{version: 3, codes: []rawCode{{dep: 19, hasDep: true}}} // RELU
}

func TestParseOperatorCodes(t *testing.T) {
	tests := []struct {
		name string
		code rawCode
		want BuiltinOperator
	}{
		{"deprecated only", rawCode{dep: 4, hasDep: true}, OpDepthwiseConv2D},
		{"both equal", rawCode{dep: 3, code: 3, hasDep: true, hasCode: true}, OpConv2D},
		{"old writer: builtin_code 0", rawCode{dep: 3, code: 0, hasDep: true, hasCode: true}, OpConv2D},
		{"new only", rawCode{code: 117, hasCode: true}, OpHardSwish},
		{"extended code", rawCode{dep: 127, code: 150, hasDep: true, hasCode: true}, BuiltinOperator(150)},
		{"neither: ADD", rawCode{}, OpAdd},
		{"negative deprecated", rawCode{dep: -5, code: 9, hasDep: true, hasCode: true}, OpFullyConnected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRaw()
			r.codes = []rawCode{tt.code}
			m, err := Parse(r.build())
			if err != nil {
				t.Fatal(err)
			}
			if got := m.OperatorCodes[0].Builtin; got != tt.want {
				t.Errorf("Builtin = %v; want %v", got, tt.want)
			}
			if got := m.OperatorCodes[0].Version; got != 1 {
				t.Errorf("Version = %d; want the schema default 1", got)
			}
		})
	}
}

func TestParseOptionDefaults(t *testing.T) {
	empty := func(n int) func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
		return func(b *flatbuffers.Builder) flatbuffers.UOffsetT { b.StartObject(n); return b.EndObject() }
	}
	tests := []struct {
		name    string
		op      int8
		utype   uint8
		options func(b *flatbuffers.Builder) flatbuffers.UOffsetT
		want    any
	}{
		{"conv without table: TFLite zero-fills", 3, 0, nil, &Conv2DOptions{}},
		{"conv empty table: schema defaults", 3, unionConv2DOptions, empty(6), &Conv2DOptions{DilationW: 1, DilationH: 1}},
		{"conv with add options: ignored", 3, unionAddOptions, empty(2), &Conv2DOptions{}},
		{"depthwise empty table", 4, unionDepthwiseConv2DOptions, empty(7), &DepthwiseConv2DOptions{DilationW: 1, DilationH: 1}},
		{"add without table", 0, 0, nil, &AddOptions{}},
		{"add empty table: pot_scale_int16 true", 0, unionAddOptions, empty(2), &AddOptions{PotScaleInt16: true}},
		{"softmax beta", 25, unionSoftmaxOptions, func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
			b.StartObject(1)
			b.PrependFloat32Slot(0, 0.5, 0)
			return b.EndObject()
		}, &SoftmaxOptions{Beta: 0.5}},
		{"max pool", 17, unionPool2DOptions, func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
			b.StartObject(6)
			b.PrependInt8Slot(0, int8(PaddingValid), 0)
			b.PrependInt32Slot(1, 2, 0)
			b.PrependInt32Slot(2, 3, 0)
			b.PrependInt32Slot(3, 4, 0)
			b.PrependInt32Slot(4, 5, 0)
			b.PrependInt8Slot(5, int8(ActRelu), 0)
			return b.EndObject()
		}, &Pool2DOptions{Padding: PaddingValid, StrideW: 2, StrideH: 3, FilterWidth: 4, FilterHeight: 5, Activation: ActRelu}},
		{"squeeze dims", 43, unionSqueezeOptions, func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
			v := int32VectorAlways(b, []int32{1, 2})
			b.StartObject(1)
			b.PrependUOffsetTSlot(0, v, 0)
			return b.EndObject()
		}, &SqueezeOptions{SqueezeDims: []int32{1, 2}}},
		{"relu has none", 19, unionConv2DOptions, empty(6), nil},
		{"sum uses reducer options", 74, unionReducerOptions, func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
			b.StartObject(1)
			b.PrependBoolSlot(0, true, false)
			return b.EndObject()
		}, &ReducerOptions{KeepDims: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := baseRaw()
			r.codes = []rawCode{{dep: tt.op, hasDep: true}}
			r.utype, r.options = tt.utype, tt.options
			m, err := Parse(r.build())
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Subgraphs[0].Operators[0].Options; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Options = %#v; want %#v", got, tt.want)
			}
		})
	}
}

func TestParseExternalBuffer(t *testing.T) {
	tail := []byte("0123456789abcdef")
	external := func(off, size uint64) func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
		return func(b *flatbuffers.Builder) flatbuffers.UOffsetT {
			b.StartObject(3)
			b.PrependUint64Slot(1, off, 0)
			b.PrependUint64Slot(2, size, 0)
			return b.EndObject()
		}
	}
	// The FlatBuffer's length is needed for the offset: build once to learn it.
	r := baseRaw()
	r.buffer1 = external(2, 16)
	n := uint64(len(r.build()))

	r.buffer1, r.tail = external(n, 16), tail
	m, err := Parse(r.build())
	if err != nil {
		t.Fatalf("Parse(external buffer) = %v", err)
	}
	if string(m.Buffers[1]) != string(tail) {
		t.Errorf("buffer 1 = %q; want %q", m.Buffers[1], tail)
	}

	r.buffer1 = external(n, 17)
	if _, err := Parse(r.build()); err == nil || !strings.Contains(err.Error(), "external data") {
		t.Errorf("Parse(external buffer past the end) = %v; want an external data error", err)
	}
	r.buffer1 = external(1<<63, 1<<63)
	if _, err := Parse(r.build()); err == nil || !errors.Is(err, modelerr.ErrMalformed) {
		t.Errorf("Parse(overflowing external buffer) = %v; want ErrMalformed", err)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name string
		data func() []byte
		kind error
		want string
	}{
		{"short", func() []byte { return []byte("TFL3") }, modelerr.ErrMalformed, "too short"},
		{"identifier", func() []byte {
			d := baseRaw().build()
			copy(d[4:], "TFL2")
			return d
		}, modelerr.ErrMalformed, `file identifier is "TFL2"`},
		{"binary identifier", func() []byte {
			d := baseRaw().build()
			copy(d[4:], "\x00\x01\x02\x03")
			return d
		}, modelerr.ErrMalformed, "file identifier is 00 01 02 03"},
		{"version", func() []byte { r := baseRaw(); r.version = 2; return r.build() }, modelerr.ErrMalformed, "schema version 2"},
		{"root outside", func() []byte {
			d := baseRaw().build()
			d[0], d[1], d[2], d[3] = 0xff, 0xff, 0xff, 0x7f
			return d
		}, modelerr.ErrMalformed, "outside the"},
		{"opcode index", func() []byte { r := baseRaw(); r.opcodeIdx = 7; return r.build() }, modelerr.ErrMalformed, "opcode index 7 out of range (model has 1 operator codes)"},
		{"buffer index", func() []byte { r := baseRaw(); r.tensorBuf = 900; return r.build() }, modelerr.ErrMalformed, "subgraph 0 tensor 0: buffer index 900 out of range (model has 2 buffers)"},
		{"sparse tensor", func() []byte {
			r := baseRaw()
			r.tensor0 = func(b *flatbuffers.Builder) {
				// An offset to the tensor table itself stands in for a
				// SparsityParameters table: only its presence matters.
				b.PrependUOffsetTSlot(6, b.Offset(), 0)
			}
			return r.build()
		}, modelerr.ErrUnsupported, "sparse tensors are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data())
			if err == nil {
				t.Fatal("Parse = nil error; want one")
			}
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse = %q; want %v containing %q", err, tt.kind, tt.want)
			}
		})
	}
}

// A small file must not decode into a huge structure: here thousands of
// tensors share one large shape vector.
func TestParseAmplification(t *testing.T) {
	b := flatbuffers.NewBuilder(1 << 20)
	shape := make([]int32, 16<<10)
	for i := range shape {
		shape[i] = 1
	}
	sv := int32VectorAlways(b, shape)
	b.StartObject(8)
	b.PrependUOffsetTSlot(0, sv, 0)
	tensor := b.EndObject()
	offs := make([]flatbuffers.UOffsetT, 20000)
	for i := range offs {
		offs[i] = tensor
	}
	tv := tableVector(b, offs)
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, tv, 0)
	sg := tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})
	b.StartObject(8)
	b.PrependUint32Slot(0, 3, 0)
	b.PrependUOffsetTSlot(2, sg, 0)
	b.FinishWithFileIdentifier(b.EndObject(), []byte(Identifier))
	data := b.FinishedBytes()
	_, err := Parse(data)
	if err == nil || !strings.Contains(err.Error(), "more memory than") {
		t.Errorf("Parse(%d bytes claiming %d MiB of shapes) = %v; want a memory budget error", len(data), len(offs)*len(shape)*4>>20, err)
	}
}

// Buffers that share one data vector would make the writer (or a copying
// loader) expand a small file many times over.
func TestParseAliasedBuffers(t *testing.T) {
	b := flatbuffers.NewBuilder(1 << 16)
	data := b.CreateByteVector(make([]byte, 4096))
	offs := make([]flatbuffers.UOffsetT, 64)
	for i := range offs {
		b.StartObject(3)
		if i > 0 {
			b.PrependUOffsetTSlot(0, data, 0)
		}
		offs[i] = b.EndObject()
	}
	bufs := tableVector(b, offs)
	shape := int32VectorAlways(b, nil)
	b.StartObject(8)
	b.PrependUOffsetTSlot(0, shape, 0)
	tensors := tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, tensors, 0)
	sg := tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})
	b.StartObject(8)
	b.PrependUint32Slot(0, 3, 0)
	b.PrependUOffsetTSlot(2, sg, 0)
	b.PrependUOffsetTSlot(4, bufs, 0)
	b.FinishWithFileIdentifier(b.EndObject(), []byte(Identifier))
	_, err := Parse(b.FinishedBytes())
	if err == nil || !strings.Contains(err.Error(), "overlapping data") {
		t.Errorf("Parse(64 buffers sharing one 4 KiB vector) = %v; want an overlapping data error", err)
	}
}
