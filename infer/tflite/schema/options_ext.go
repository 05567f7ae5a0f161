package schema

import (
	flatbuffers "github.com/google/flatbuffers/go"
)

// More builtin operators Fovea executes (schema.fbs values).
const (
	OpDepthToSpace          BuiltinOperator = 5
	OpL2Normalization       BuiltinOperator = 11
	OpReluN1To1             BuiltinOperator = 20
	OpResizeBilinear        BuiltinOperator = 23
	OpSpaceToDepth          BuiltinOperator = 26
	OpTanh                  BuiltinOperator = 28
	OpGather                BuiltinOperator = 36
	OpSub                   BuiltinOperator = 41
	OpDiv                   BuiltinOperator = 42
	OpStridedSlice          BuiltinOperator = 45
	OpExp                   BuiltinOperator = 47
	OpSplit                 BuiltinOperator = 49
	OpLogSoftmax            BuiltinOperator = 50
	OpCast                  BuiltinOperator = 53
	OpPrelu                 BuiltinOperator = 54
	OpMaximum               BuiltinOperator = 55
	OpArgMax                BuiltinOperator = 56
	OpMinimum               BuiltinOperator = 57
	OpNeg                   BuiltinOperator = 59
	OpPadV2                 BuiltinOperator = 60
	OpSlice                 BuiltinOperator = 65
	OpExpandDims            BuiltinOperator = 70
	OpLog                   BuiltinOperator = 73
	OpSqrt                  BuiltinOperator = 75
	OpRsqrt                 BuiltinOperator = 76
	OpShape                 BuiltinOperator = 77
	OpArgMin                BuiltinOperator = 79
	OpPack                  BuiltinOperator = 83
	OpUnpack                BuiltinOperator = 88
	OpSquare                BuiltinOperator = 92
	OpZerosLike             BuiltinOperator = 93
	OpFill                  BuiltinOperator = 94
	OpResizeNearestNeighbor BuiltinOperator = 97
	OpLeakyRelu             BuiltinOperator = 98
	OpSquaredDifference     BuiltinOperator = 99
	OpMirrorPad             BuiltinOperator = 100
	OpAbs                   BuiltinOperator = 101
	OpSplitV                BuiltinOperator = 102
	OpElu                   BuiltinOperator = 111
	OpIf                    BuiltinOperator = 118
	OpWhile                 BuiltinOperator = 119
	OpBatchMatMul           BuiltinOperator = 126
	OpCallOnce              BuiltinOperator = 129
	OpBroadcastTo           BuiltinOperator = 130
	OpGelu                  BuiltinOperator = 150
)

// Union values of the options tables in this file.
const (
	unionL2NormOptions                uint8 = 12
	unionResizeBilinearOptions        uint8 = 15
	unionSpaceToDepthOptions          uint8 = 19
	unionGatherOptions                uint8 = 23
	unionSubOptions                   uint8 = 28
	unionDivOptions                   uint8 = 29
	unionStridedSliceOptions          uint8 = 32
	unionSplitOptions                 uint8 = 35
	unionCastOptions                  uint8 = 37
	unionArgMaxOptions                uint8 = 40
	unionShapeOptions                 uint8 = 55
	unionArgMinOptions                uint8 = 57
	unionPackOptions                  uint8 = 59
	unionUnpackOptions                uint8 = 64
	unionResizeNearestNeighborOptions uint8 = 74
	unionLeakyReluOptions             uint8 = 75
	unionMirrorPadOptions             uint8 = 77
	unionSplitVOptions                uint8 = 79
	unionDepthToSpaceOptions          uint8 = 94
	unionBatchMatMulOptions           uint8 = 101
	unionGeluOptions                  uint8 = 116
)

// SubOptions are SUB's options.
type SubOptions struct {
	Activation    Activation
	PotScaleInt16 bool
}

// DivOptions are DIV's options.
type DivOptions struct{ Activation Activation }

// L2NormOptions are L2_NORMALIZATION's options.
type L2NormOptions struct{ Activation Activation }

// StridedSliceOptions are STRIDED_SLICE's options (bit masks over axes).
type StridedSliceOptions struct {
	BeginMask, EndMask, EllipsisMask, NewAxisMask, ShrinkAxisMask int32
	// Offset: end is begin + end (TFLite 2.14+).
	Offset bool
}

// SplitOptions are SPLIT's options.
type SplitOptions struct{ NumSplits int32 }

// SplitVOptions are SPLIT_V's options.
type SplitVOptions struct{ NumSplits int32 }

// GatherOptions are GATHER's options.
type GatherOptions struct{ Axis, BatchDims int32 }

// PackOptions are PACK's options.
type PackOptions struct{ ValuesCount, Axis int32 }

// UnpackOptions are UNPACK's options.
type UnpackOptions struct{ Num, Axis int32 }

// LeakyReluOptions are LEAKY_RELU's options.
type LeakyReluOptions struct{ Alpha float32 }

// GeluOptions are GELU's options.
type GeluOptions struct{ Approximate bool }

// ResizeBilinearOptions are RESIZE_BILINEAR's options.
type ResizeBilinearOptions struct{ AlignCorners, HalfPixelCenters bool }

// ResizeNearestNeighborOptions are RESIZE_NEAREST_NEIGHBOR's options.
type ResizeNearestNeighborOptions struct{ AlignCorners, HalfPixelCenters bool }

// DepthToSpaceOptions are DEPTH_TO_SPACE's options.
type DepthToSpaceOptions struct{ BlockSize int32 }

// SpaceToDepthOptions are SPACE_TO_DEPTH's options.
type SpaceToDepthOptions struct{ BlockSize int32 }

// ArgMaxOptions are ARG_MAX's options.
type ArgMaxOptions struct{ OutputType TensorType }

// ArgMinOptions are ARG_MIN's options.
type ArgMinOptions struct{ OutputType TensorType }

// ShapeOptions are SHAPE's options.
type ShapeOptions struct{ OutType TensorType }

// CastOptions are CAST's options.
type CastOptions struct{ InDataType, OutDataType TensorType }

// BatchMatMulOptions are BATCH_MATMUL's options.
type BatchMatMulOptions struct {
	AdjX, AdjY               bool
	AsymmetricQuantizeInputs bool
}

// MirrorPadMode is MIRROR_PAD's mode.
type MirrorPadMode int8

// Mirror padding modes.
const (
	MirrorReflect   MirrorPadMode = 0
	MirrorSymmetric MirrorPadMode = 1
)

// MirrorPadOptions are MIRROR_PAD's options.
type MirrorPadOptions struct{ Mode MirrorPadMode }

// extUnion is optionsUnion for the operators of this file.
func extUnion(op BuiltinOperator) uint8 {
	switch op {
	case OpSub:
		return unionSubOptions
	case OpDiv:
		return unionDivOptions
	case OpL2Normalization:
		return unionL2NormOptions
	case OpStridedSlice:
		return unionStridedSliceOptions
	case OpSplit:
		return unionSplitOptions
	case OpSplitV:
		return unionSplitVOptions
	case OpGather:
		return unionGatherOptions
	case OpPack:
		return unionPackOptions
	case OpUnpack:
		return unionUnpackOptions
	case OpLeakyRelu:
		return unionLeakyReluOptions
	case OpGelu:
		return unionGeluOptions
	case OpResizeBilinear:
		return unionResizeBilinearOptions
	case OpResizeNearestNeighbor:
		return unionResizeNearestNeighborOptions
	case OpDepthToSpace:
		return unionDepthToSpaceOptions
	case OpSpaceToDepth:
		return unionSpaceToDepthOptions
	case OpArgMax:
		return unionArgMaxOptions
	case OpArgMin:
		return unionArgMinOptions
	case OpShape:
		return unionShapeOptions
	case OpCast:
		return unionCastOptions
	case OpBatchMatMul:
		return unionBatchMatMulOptions
	case OpMirrorPad:
		return unionMirrorPadOptions
	}
	return unionNone
}

// extUnionOf is unionOf for the options types of this file.
func extUnionOf(o any) (uint8, bool) {
	switch o.(type) {
	case *SubOptions:
		return unionSubOptions, true
	case *DivOptions:
		return unionDivOptions, true
	case *L2NormOptions:
		return unionL2NormOptions, true
	case *StridedSliceOptions:
		return unionStridedSliceOptions, true
	case *SplitOptions:
		return unionSplitOptions, true
	case *SplitVOptions:
		return unionSplitVOptions, true
	case *GatherOptions:
		return unionGatherOptions, true
	case *PackOptions:
		return unionPackOptions, true
	case *UnpackOptions:
		return unionUnpackOptions, true
	case *LeakyReluOptions:
		return unionLeakyReluOptions, true
	case *GeluOptions:
		return unionGeluOptions, true
	case *ResizeBilinearOptions:
		return unionResizeBilinearOptions, true
	case *ResizeNearestNeighborOptions:
		return unionResizeNearestNeighborOptions, true
	case *DepthToSpaceOptions:
		return unionDepthToSpaceOptions, true
	case *SpaceToDepthOptions:
		return unionSpaceToDepthOptions, true
	case *ArgMaxOptions:
		return unionArgMaxOptions, true
	case *ArgMinOptions:
		return unionArgMinOptions, true
	case *ShapeOptions:
		return unionShapeOptions, true
	case *CastOptions:
		return unionCastOptions, true
	case *BatchMatMulOptions:
		return unionBatchMatMulOptions, true
	case *MirrorPadOptions:
		return unionMirrorPadOptions, true
	}
	return 0, false
}

// optReader reads fields of an options table, giving zero values when the
// table is absent (as TFLite zero-initialises params) and recording the
// first error.
type optReader struct {
	t       table
	present bool
	err     error
}

func (r *optReader) keep(e error) {
	if r.err == nil {
		r.err = e
	}
}

func (r *optReader) i8(slot int, def int8) int8 {
	if !r.present {
		return 0
	}
	v, e := r.t.i8(slot, def)
	r.keep(e)
	return v
}

func (r *optReader) i32(slot int, def int32) int32 {
	if !r.present {
		return 0
	}
	v, e := r.t.i32(slot, def)
	r.keep(e)
	return v
}

func (r *optReader) f32(slot int, def float32) float32 {
	if !r.present {
		return 0
	}
	v, e := r.t.f32(slot, def)
	r.keep(e)
	return v
}

func (r *optReader) boolean(slot int, def bool) bool {
	if !r.present {
		return false
	}
	v, e := r.t.boolean(slot, def)
	r.keep(e)
	return v
}

// decodeExt decodes the options tables of this file.
func decodeExt(want uint8, r *optReader) any {
	switch want {
	case unionSubOptions:
		return &SubOptions{Activation: Activation(r.i8(0, 0)), PotScaleInt16: r.boolean(1, true)}
	case unionDivOptions:
		return &DivOptions{Activation: Activation(r.i8(0, 0))}
	case unionL2NormOptions:
		return &L2NormOptions{Activation: Activation(r.i8(0, 0))}
	case unionStridedSliceOptions:
		return &StridedSliceOptions{BeginMask: r.i32(0, 0), EndMask: r.i32(1, 0), EllipsisMask: r.i32(2, 0),
			NewAxisMask: r.i32(3, 0), ShrinkAxisMask: r.i32(4, 0), Offset: r.boolean(5, false)}
	case unionSplitOptions:
		return &SplitOptions{NumSplits: r.i32(0, 0)}
	case unionSplitVOptions:
		return &SplitVOptions{NumSplits: r.i32(0, 0)}
	case unionGatherOptions:
		return &GatherOptions{Axis: r.i32(0, 0), BatchDims: r.i32(1, 0)}
	case unionPackOptions:
		return &PackOptions{ValuesCount: r.i32(0, 0), Axis: r.i32(1, 0)}
	case unionUnpackOptions:
		return &UnpackOptions{Num: r.i32(0, 0), Axis: r.i32(1, 0)}
	case unionLeakyReluOptions:
		return &LeakyReluOptions{Alpha: r.f32(0, 0)}
	case unionGeluOptions:
		return &GeluOptions{Approximate: r.boolean(0, false)}
	case unionResizeBilinearOptions:
		return &ResizeBilinearOptions{AlignCorners: r.boolean(2, false), HalfPixelCenters: r.boolean(3, false)}
	case unionResizeNearestNeighborOptions:
		return &ResizeNearestNeighborOptions{AlignCorners: r.boolean(0, false), HalfPixelCenters: r.boolean(1, false)}
	case unionDepthToSpaceOptions:
		return &DepthToSpaceOptions{BlockSize: r.i32(0, 0)}
	case unionSpaceToDepthOptions:
		return &SpaceToDepthOptions{BlockSize: r.i32(0, 0)}
	case unionArgMaxOptions:
		return &ArgMaxOptions{OutputType: TensorType(r.i8(0, 0))}
	case unionArgMinOptions:
		return &ArgMinOptions{OutputType: TensorType(r.i8(0, 0))}
	case unionShapeOptions:
		return &ShapeOptions{OutType: TensorType(r.i8(0, 0))}
	case unionCastOptions:
		return &CastOptions{InDataType: TensorType(r.i8(0, 0)), OutDataType: TensorType(r.i8(1, 0))}
	case unionBatchMatMulOptions:
		return &BatchMatMulOptions{AdjX: r.boolean(0, false), AdjY: r.boolean(1, false), AsymmetricQuantizeInputs: r.boolean(2, false)}
	case unionMirrorPadOptions:
		return &MirrorPadOptions{Mode: MirrorPadMode(r.i8(0, 0))}
	}
	return nil
}

// encodeExt writes the options tables of this file; ok is false for other
// types.
func encodeExt(b *flatbuffers.Builder, o any) bool {
	switch o := o.(type) {
	case *SubOptions:
		b.StartObject(2)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
		b.PrependBoolSlot(1, o.PotScaleInt16, true)
	case *DivOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
	case *L2NormOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.Activation), 0)
	case *StridedSliceOptions:
		b.StartObject(6)
		b.PrependInt32Slot(0, o.BeginMask, 0)
		b.PrependInt32Slot(1, o.EndMask, 0)
		b.PrependInt32Slot(2, o.EllipsisMask, 0)
		b.PrependInt32Slot(3, o.NewAxisMask, 0)
		b.PrependInt32Slot(4, o.ShrinkAxisMask, 0)
		b.PrependBoolSlot(5, o.Offset, false)
	case *SplitOptions:
		b.StartObject(1)
		b.PrependInt32Slot(0, o.NumSplits, 0)
	case *SplitVOptions:
		b.StartObject(1)
		b.PrependInt32Slot(0, o.NumSplits, 0)
	case *GatherOptions:
		b.StartObject(2)
		b.PrependInt32Slot(0, o.Axis, 0)
		b.PrependInt32Slot(1, o.BatchDims, 0)
	case *PackOptions:
		b.StartObject(2)
		b.PrependInt32Slot(0, o.ValuesCount, 0)
		b.PrependInt32Slot(1, o.Axis, 0)
	case *UnpackOptions:
		b.StartObject(2)
		b.PrependInt32Slot(0, o.Num, 0)
		b.PrependInt32Slot(1, o.Axis, 0)
	case *LeakyReluOptions:
		b.StartObject(1)
		b.PrependFloat32Slot(0, o.Alpha, 0)
	case *GeluOptions:
		b.StartObject(1)
		b.PrependBoolSlot(0, o.Approximate, false)
	case *ResizeBilinearOptions:
		b.StartObject(4)
		b.PrependBoolSlot(2, o.AlignCorners, false)
		b.PrependBoolSlot(3, o.HalfPixelCenters, false)
	case *ResizeNearestNeighborOptions:
		b.StartObject(2)
		b.PrependBoolSlot(0, o.AlignCorners, false)
		b.PrependBoolSlot(1, o.HalfPixelCenters, false)
	case *DepthToSpaceOptions:
		b.StartObject(1)
		b.PrependInt32Slot(0, o.BlockSize, 0)
	case *SpaceToDepthOptions:
		b.StartObject(1)
		b.PrependInt32Slot(0, o.BlockSize, 0)
	case *ArgMaxOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.OutputType), 0)
	case *ArgMinOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.OutputType), 0)
	case *ShapeOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.OutType), 0)
	case *CastOptions:
		b.StartObject(2)
		b.PrependInt8Slot(0, int8(o.InDataType), 0)
		b.PrependInt8Slot(1, int8(o.OutDataType), 0)
	case *BatchMatMulOptions:
		b.StartObject(3)
		b.PrependBoolSlot(0, o.AdjX, false)
		b.PrependBoolSlot(1, o.AdjY, false)
		b.PrependBoolSlot(2, o.AsymmetricQuantizeInputs, false)
	case *MirrorPadOptions:
		b.StartObject(1)
		b.PrependInt8Slot(0, int8(o.Mode), 0)
	default:
		return false
	}
	return true
}
