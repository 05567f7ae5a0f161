package schema

import (
	"fmt"

	flatbuffers "github.com/google/flatbuffers/go"
)

// dataAlign is the alignment of constant data in written files, as
// schema.fbs asks for Buffer.data (force_align: 16).
const dataAlign = 16

// maxMarshalBytes keeps the output under the 2 GiB a FlatBuffer can hold.
const maxMarshalBytes = 1<<31 - 1<<20

// Marshal writes m as a schema-v3 .tflite file: identifier "TFL3", version
// 3, operator codes with both builtin_code and deprecated_builtin_code set,
// buffer 0 empty, constant data aligned to 16 bytes. Parse(Marshal(m))
// gives back m, with three normalisations: empty slices come back as nil,
// an empty Quantization as nil, and an operator of a kind that has an
// options table but was given nil Options comes back with zero-valued
// Options (Parse fills them as TFLite does). From the second round on,
// Marshal's output is stable byte for byte.
//
// Marshal refuses a model whose indices are out of range, whose buffer 0
// holds data, or whose operators carry options of another operator's type;
// it does not apply the other rules of Validate.
func Marshal(m *Model) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("schema.Marshal: nil model")
	}
	if errs := refErrors(m, 1); len(errs) > 0 {
		return nil, fmt.Errorf("schema.Marshal: %w", errs[0])
	}
	if len(m.Buffers) > 0 && len(m.Buffers[0]) > 0 {
		return nil, fmt.Errorf("schema.Marshal: buffer 0 holds %d bytes; it must be empty (TFLite reserves it for tensors without data)", len(m.Buffers[0]))
	}
	size := int64(1 << 12)
	for _, b := range m.Buffers {
		size += int64(len(b)) + dataAlign
		if size > maxMarshalBytes {
			return nil, fmt.Errorf("schema.Marshal: constant data exceeds the 2 GiB a FlatBuffer can hold")
		}
	}
	b := flatbuffers.NewBuilder(int(min(size+size/8, maxMarshalBytes)))
	root, err := writeModel(b, m)
	if err != nil {
		return nil, fmt.Errorf("schema.Marshal: %w", err)
	}
	b.FinishWithFileIdentifier(root, []byte(Identifier))
	return b.FinishedBytes(), nil
}

func writeModel(b *flatbuffers.Builder, m *Model) (flatbuffers.UOffsetT, error) {
	// Buffers first: the large aligned data sits at the end of the file.
	bufs := m.Buffers
	if len(bufs) == 0 {
		bufs = [][]byte{nil}
	}
	bufOffs := make([]flatbuffers.UOffsetT, len(bufs))
	for i := len(bufs) - 1; i >= 0; i-- {
		var data flatbuffers.UOffsetT
		if len(bufs[i]) > 0 {
			b.Prep(dataAlign, len(bufs[i]))
			data = b.CreateByteVector(bufs[i])
		}
		b.StartObject(3)
		if data != 0 {
			b.PrependUOffsetTSlot(0, data, 0)
		}
		bufOffs[i] = b.EndObject()
	}
	buffers := tableVector(b, bufOffs)

	codeOffs := make([]flatbuffers.UOffsetT, len(m.OperatorCodes))
	for i, oc := range m.OperatorCodes {
		var custom flatbuffers.UOffsetT
		if oc.CustomCode != "" {
			custom = b.CreateString(oc.CustomCode)
		}
		b.StartObject(4)
		b.PrependInt8Slot(0, int8(min(max(oc.Builtin, 0), 127)), 0)
		if custom != 0 {
			b.PrependUOffsetTSlot(1, custom, 0)
		}
		b.PrependInt32Slot(2, oc.Version, 1)
		b.PrependInt32Slot(3, int32(oc.Builtin), 0)
		codeOffs[i] = b.EndObject()
	}
	codes := tableVector(b, codeOffs)

	subOffs := make([]flatbuffers.UOffsetT, len(m.Subgraphs))
	for i := range m.Subgraphs {
		off, err := writeSubgraph(b, m, i)
		if err != nil {
			return 0, err
		}
		subOffs[i] = off
	}
	subgraphs := tableVector(b, subOffs)

	var desc, metadata, sigs flatbuffers.UOffsetT
	if m.Description != "" {
		desc = b.CreateString(m.Description)
	}
	if len(m.Metadata) > 0 {
		offs := make([]flatbuffers.UOffsetT, len(m.Metadata))
		for i, md := range m.Metadata {
			name := b.CreateString(md.Name)
			b.StartObject(2)
			b.PrependUOffsetTSlot(0, name, 0)
			b.PrependUint32Slot(1, md.Buffer, 0)
			offs[i] = b.EndObject()
		}
		metadata = tableVector(b, offs)
	}
	if len(m.SignatureDefs) > 0 {
		offs := make([]flatbuffers.UOffsetT, len(m.SignatureDefs))
		for i, sd := range m.SignatureDefs {
			ins := writeTensorMaps(b, sd.Inputs)
			outs := writeTensorMaps(b, sd.Outputs)
			var key flatbuffers.UOffsetT
			if sd.Key != "" {
				key = b.CreateString(sd.Key)
			}
			b.StartObject(5)
			if ins != 0 {
				b.PrependUOffsetTSlot(0, ins, 0)
			}
			if outs != 0 {
				b.PrependUOffsetTSlot(1, outs, 0)
			}
			if key != 0 {
				b.PrependUOffsetTSlot(2, key, 0)
			}
			b.PrependUint32Slot(4, sd.SubgraphIndex, 0)
			offs[i] = b.EndObject()
		}
		sigs = tableVector(b, offs)
	}

	b.StartObject(8)
	b.PrependUint32Slot(0, SchemaVersion, 0)
	b.PrependUOffsetTSlot(1, codes, 0)
	b.PrependUOffsetTSlot(2, subgraphs, 0)
	if desc != 0 {
		b.PrependUOffsetTSlot(3, desc, 0)
	}
	b.PrependUOffsetTSlot(4, buffers, 0)
	if metadata != 0 {
		b.PrependUOffsetTSlot(6, metadata, 0)
	}
	if sigs != 0 {
		b.PrependUOffsetTSlot(7, sigs, 0)
	}
	return b.EndObject(), nil
}

func writeTensorMaps(b *flatbuffers.Builder, tms []TensorMap) flatbuffers.UOffsetT {
	if len(tms) == 0 {
		return 0
	}
	offs := make([]flatbuffers.UOffsetT, len(tms))
	for i, tm := range tms {
		name := b.CreateString(tm.Name)
		b.StartObject(2)
		b.PrependUOffsetTSlot(0, name, 0)
		b.PrependUint32Slot(1, tm.TensorIndex, 0)
		offs[i] = b.EndObject()
	}
	return tableVector(b, offs)
}

func writeSubgraph(b *flatbuffers.Builder, m *Model, si int) (flatbuffers.UOffsetT, error) {
	sg := &m.Subgraphs[si]
	tOffs := make([]flatbuffers.UOffsetT, len(sg.Tensors))
	for i := range sg.Tensors {
		tOffs[i] = writeTensor(b, &sg.Tensors[i])
	}
	tensors := tableVector(b, tOffs)
	inputs := int32VectorAlways(b, sg.Inputs)
	outputs := int32VectorAlways(b, sg.Outputs)
	oOffs := make([]flatbuffers.UOffsetT, len(sg.Operators))
	for i := range sg.Operators {
		off, err := writeOperator(b, m, &sg.Operators[i])
		if err != nil {
			return 0, fmt.Errorf("subgraph %d operator %d: %w", si, i, err)
		}
		oOffs[i] = off
	}
	operators := tableVector(b, oOffs)
	var name flatbuffers.UOffsetT
	if sg.Name != "" {
		name = b.CreateString(sg.Name)
	}
	b.StartObject(5)
	b.PrependUOffsetTSlot(0, tensors, 0)
	b.PrependUOffsetTSlot(1, inputs, 0)
	b.PrependUOffsetTSlot(2, outputs, 0)
	b.PrependUOffsetTSlot(3, operators, 0)
	if name != 0 {
		b.PrependUOffsetTSlot(4, name, 0)
	}
	return b.EndObject(), nil
}

func writeTensor(b *flatbuffers.Builder, t *Tensor) flatbuffers.UOffsetT {
	shape := int32VectorAlways(b, t.Shape)
	sig := int32Vector(b, t.ShapeSignature)
	var name, quant flatbuffers.UOffsetT
	if t.Name != "" {
		name = b.CreateString(t.Name)
	}
	if q := t.Quant; q != nil {
		qmin := float32Vector(b, q.Min)
		qmax := float32Vector(b, q.Max)
		scale := float32Vector(b, q.Scale)
		zp := int64Vector(b, q.ZeroPoint)
		b.StartObject(7)
		for slot, v := range []flatbuffers.UOffsetT{qmin, qmax, scale, zp} {
			if v != 0 {
				b.PrependUOffsetTSlot(slot, v, 0)
			}
		}
		b.PrependInt32Slot(6, q.QuantizedDimension, 0)
		quant = b.EndObject()
	}
	b.StartObject(8)
	b.PrependUOffsetTSlot(0, shape, 0)
	b.PrependInt8Slot(1, int8(t.Type), 0)
	b.PrependUint32Slot(2, t.Buffer, 0)
	if name != 0 {
		b.PrependUOffsetTSlot(3, name, 0)
	}
	if quant != 0 {
		b.PrependUOffsetTSlot(4, quant, 0)
	}
	b.PrependBoolSlot(5, t.IsVariable, false)
	if sig != 0 {
		b.PrependUOffsetTSlot(7, sig, 0)
	}
	return b.EndObject()
}

func writeOperator(b *flatbuffers.Builder, m *Model, op *Operator) (flatbuffers.UOffsetT, error) {
	code := m.OperatorCodes[op.OpcodeIndex].Builtin
	if want := optionsUnion(code); op.Options != nil {
		if got, ok := unionOf(op.Options); !ok || got != want {
			return 0, fmt.Errorf("%s carries options of type %T, which it does not read", code, op.Options)
		}
	}
	inputs := int32VectorAlways(b, op.Inputs)
	outputs := int32VectorAlways(b, op.Outputs)
	utype, opts, err := encodeOptions(b, op.Options)
	if err != nil {
		return 0, err
	}
	var custom flatbuffers.UOffsetT
	if len(op.CustomOptions) > 0 {
		custom = b.CreateByteVector(op.CustomOptions)
	}
	b.StartObject(7)
	b.PrependUint32Slot(0, op.OpcodeIndex, 0)
	b.PrependUOffsetTSlot(1, inputs, 0)
	b.PrependUOffsetTSlot(2, outputs, 0)
	b.PrependUint8Slot(3, utype, 0)
	if opts != 0 {
		b.PrependUOffsetTSlot(4, opts, 0)
	}
	if custom != 0 {
		b.PrependUOffsetTSlot(5, custom, 0)
	}
	return b.EndObject(), nil
}

func tableVector(b *flatbuffers.Builder, offs []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	b.StartVector(4, len(offs), 4)
	for i := len(offs) - 1; i >= 0; i-- {
		b.PrependUOffsetT(offs[i])
	}
	return b.EndVector(len(offs))
}

// int32Vector writes v, or nothing (offset 0) when v is empty.
func int32Vector(b *flatbuffers.Builder, v []int32) flatbuffers.UOffsetT {
	if len(v) == 0 {
		return 0
	}
	return int32VectorAlways(b, v)
}

// int32VectorAlways writes v even when empty (fields TFLite expects).
func int32VectorAlways(b *flatbuffers.Builder, v []int32) flatbuffers.UOffsetT {
	b.StartVector(4, len(v), 4)
	for i := len(v) - 1; i >= 0; i-- {
		b.PrependInt32(v[i])
	}
	return b.EndVector(len(v))
}

func float32Vector(b *flatbuffers.Builder, v []float32) flatbuffers.UOffsetT {
	if len(v) == 0 {
		return 0
	}
	b.StartVector(4, len(v), 4)
	for i := len(v) - 1; i >= 0; i-- {
		b.PrependFloat32(v[i])
	}
	return b.EndVector(len(v))
}

func int64Vector(b *flatbuffers.Builder, v []int64) flatbuffers.UOffsetT {
	if len(v) == 0 {
		return 0
	}
	b.StartVector(8, len(v), 8)
	for i := len(v) - 1; i >= 0; i-- {
		b.PrependInt64(v[i])
	}
	return b.EndVector(len(v))
}
