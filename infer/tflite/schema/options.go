package schema

import (
	"fmt"

	flatbuffers "github.com/google/flatbuffers/go"
)

// BuiltinOptions union values (schema.fbs, union BuiltinOptions) of the
// options tables this package decodes.
const (
	unionNone                   uint8 = 0
	unionConv2DOptions          uint8 = 1
	unionDepthwiseConv2DOptions uint8 = 2
	unionPool2DOptions          uint8 = 5
	unionFullyConnectedOptions  uint8 = 8
	unionSoftmaxOptions         uint8 = 9
	unionConcatenationOptions   uint8 = 10
	unionAddOptions             uint8 = 11
	unionReshapeOptions         uint8 = 17
	unionMulOptions             uint8 = 21
	unionReducerOptions         uint8 = 27
	unionSqueezeOptions         uint8 = 30
)

// optionsUnion is the options table an operator reads, or unionNone for
// operators whose options this package does not keep.
func optionsUnion(op BuiltinOperator) uint8 {
	switch op {
	case OpConv2D:
		return unionConv2DOptions
	case OpDepthwiseConv2D:
		return unionDepthwiseConv2DOptions
	case OpAveragePool2D, OpMaxPool2D, OpL2Pool2D:
		return unionPool2DOptions
	case OpFullyConnected:
		return unionFullyConnectedOptions
	case OpSoftmax:
		return unionSoftmaxOptions
	case OpConcatenation:
		return unionConcatenationOptions
	case OpAdd:
		return unionAddOptions
	case OpReshape:
		return unionReshapeOptions
	case OpMul:
		return unionMulOptions
	case OpMean, OpSum, OpReduceProd, OpReduceMax, OpReduceMin, OpReduceAny:
		return unionReducerOptions
	case OpSqueeze:
		return unionSqueezeOptions
	}
	return extUnion(op)
}

// unionOf is the union value of an Options value, and false for a type
// this package does not know.
func unionOf(o any) (uint8, bool) {
	switch o.(type) {
	case nil:
		return unionNone, true
	case *Conv2DOptions:
		return unionConv2DOptions, true
	case *DepthwiseConv2DOptions:
		return unionDepthwiseConv2DOptions, true
	case *Pool2DOptions:
		return unionPool2DOptions, true
	case *FullyConnectedOptions:
		return unionFullyConnectedOptions, true
	case *SoftmaxOptions:
		return unionSoftmaxOptions, true
	case *ConcatenationOptions:
		return unionConcatenationOptions, true
	case *AddOptions:
		return unionAddOptions, true
	case *ReshapeOptions:
		return unionReshapeOptions, true
	case *MulOptions:
		return unionMulOptions, true
	case *ReducerOptions:
		return unionReducerOptions, true
	case *SqueezeOptions:
		return unionSqueezeOptions, true
	}
	return extUnionOf(o)
}

// decodeOptions reads the options of an operator of kind op. Like TFLite
// (flatbuffer_conversions.cc), it reads the table only when the union holds
// the type the operator expects; a missing or mismatched table gives the
// zero value of every field (TFLite zero-initialises its params), while a
// field missing from a present table gets its schema default (for example
// dilation 1, pot_scale_int16 true).
func decodeOptions(op BuiltinOperator, utype uint8, t table, present bool) (any, error) {
	want := optionsUnion(op)
	if want == unionNone {
		return nil, nil
	}
	if utype != want {
		present = false
	}
	var err error
	// The readers below record the first error; reads stay within t.
	i8 := func(slot int, def int8) int8 {
		if !present {
			return 0
		}
		v, e := t.i8(slot, def)
		if err == nil {
			err = e
		}
		return v
	}
	i32 := func(slot int, def int32) int32 {
		if !present {
			return 0
		}
		v, e := t.i32(slot, def)
		if err == nil {
			err = e
		}
		return v
	}
	boolean := func(slot int, def bool) bool {
		if !present {
			return false
		}
		v, e := t.boolean(slot, def)
		if err == nil {
			err = e
		}
		return v
	}
	ints := func(slot int) []int32 {
		if !present {
			return nil
		}
		v, e := t.i32s(slot)
		if err == nil {
			err = e
		}
		return v
	}
	var o any
	switch want {
	case unionConv2DOptions:
		o = &Conv2DOptions{
			Padding:    Padding(i8(0, 0)),
			StrideW:    i32(1, 0),
			StrideH:    i32(2, 0),
			Activation: Activation(i8(3, 0)),
			DilationW:  i32(4, 1),
			DilationH:  i32(5, 1),
		}
	case unionDepthwiseConv2DOptions:
		o = &DepthwiseConv2DOptions{
			Padding:         Padding(i8(0, 0)),
			StrideW:         i32(1, 0),
			StrideH:         i32(2, 0),
			DepthMultiplier: i32(3, 0),
			Activation:      Activation(i8(4, 0)),
			DilationW:       i32(5, 1),
			DilationH:       i32(6, 1),
		}
	case unionPool2DOptions:
		o = &Pool2DOptions{
			Padding:      Padding(i8(0, 0)),
			StrideW:      i32(1, 0),
			StrideH:      i32(2, 0),
			FilterWidth:  i32(3, 0),
			FilterHeight: i32(4, 0),
			Activation:   Activation(i8(5, 0)),
		}
	case unionFullyConnectedOptions:
		o = &FullyConnectedOptions{
			Activation:               Activation(i8(0, 0)),
			WeightsFormat:            i8(1, 0),
			KeepNumDims:              boolean(2, false),
			AsymmetricQuantizeInputs: boolean(3, false),
		}
	case unionSoftmaxOptions:
		so := &SoftmaxOptions{}
		if present {
			so.Beta, err = t.f32(0, 0)
		}
		o = so
	case unionConcatenationOptions:
		o = &ConcatenationOptions{Axis: i32(0, 0), Activation: Activation(i8(1, 0))}
	case unionAddOptions:
		o = &AddOptions{Activation: Activation(i8(0, 0)), PotScaleInt16: boolean(1, true)}
	case unionReshapeOptions:
		o = &ReshapeOptions{NewShape: ints(0)}
	case unionMulOptions:
		o = &MulOptions{Activation: Activation(i8(0, 0))}
	case unionReducerOptions:
		o = &ReducerOptions{KeepDims: boolean(0, false)}
	case unionSqueezeOptions:
		o = &SqueezeOptions{SqueezeDims: ints(0)}
	default:
		r := &optReader{t: t, present: present}
		o = decodeExt(want, r)
		err = r.err
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

// encodeOptions writes an options table and returns its union type and
// offset (0, 0 for nil options).
func encodeOptions(b *flatbuffers.Builder, o any) (uint8, flatbuffers.UOffsetT, error) {
	u, ok := unionOf(o)
	if !ok {
		return 0, 0, fmt.Errorf("options of type %T are not a schema options type", o)
	}
	switch o := o.(type) {
	case nil:
		return unionNone, 0, nil
	case *Conv2DOptions:
		b.StartObject(6)
		b.PrependInt8Slot(0, int8(o.Padding), 0)
		b.PrependInt32Slot(1, o.StrideW, 0)
		b.PrependInt32Slot(2, o.StrideH, 0)
		b.PrependInt8Slot(3, int8(o.Activation), 0)
		b.PrependInt32Slot(4, o.DilationW, 1)
		b.PrependInt32Slot(5, o.DilationH, 1)
	case *DepthwiseConv2DOptions:
		b.StartObject(7)
		b.PrependInt8Slot(0, int8(o.Padding), 0)
		b.PrependInt32Slot(1, o.StrideW, 0)
		b.PrependInt32Slot(2, o.StrideH, 0)
		b.PrependInt32Slot(3, o.DepthMultiplier, 0)
		b.PrependInt8Slot(4, int8(o.Activation), 0)
		b.PrependInt32Slot(5, o.DilationW, 1)
		b.PrependInt32Slot(6, o.DilationH, 1)
	case *Pool2DOptions:
		b.StartObject(6)
		b.PrependInt8Slot(0, int8(o.Padding), 0)
		b.PrependInt32Slot(1, o.StrideW, 0)
		b.PrependInt32Slot(2, o.StrideH, 0)
		b.PrependInt32Slot(3, o.FilterWidth, 0)
		b.PrependInt32Slot(4, o.FilterHeight, 0)
		b.PrependInt8Slot(5, int8(o.Activation), 0)
	case *FullyConnectedOptions:
		b.StartObject(4)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
		b.PrependInt8Slot(1, o.WeightsFormat, 0)
		b.PrependBoolSlot(2, o.KeepNumDims, false)
		b.PrependBoolSlot(3, o.AsymmetricQuantizeInputs, false)
	case *SoftmaxOptions:
		b.StartObject(1)
		b.PrependFloat32Slot(0, o.Beta, 0)
	case *ConcatenationOptions:
		b.StartObject(2)
		b.PrependInt32Slot(0, o.Axis, 0)
		b.PrependInt8Slot(1, int8(o.Activation), 0)
	case *AddOptions:
		b.StartObject(2)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
		b.PrependBoolSlot(1, o.PotScaleInt16, true)
	case *ReshapeOptions:
		shape := int32Vector(b, o.NewShape)
		b.StartObject(1)
		if shape != 0 {
			b.PrependUOffsetTSlot(0, shape, 0)
		}
	case *MulOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
	case *ReducerOptions:
		b.StartObject(1)
		b.PrependBoolSlot(0, o.KeepDims, false)
	case *SqueezeOptions:
		dims := int32Vector(b, o.SqueezeDims)
		b.StartObject(1)
		if dims != 0 {
			b.PrependUOffsetTSlot(0, dims, 0)
		}
	default:
		encodeExt(b, o)
	}
	return u, b.EndObject(), nil
}
