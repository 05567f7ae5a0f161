package tflite

import (
	"context"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// TestMoreFuzzSeedsRun checks that every seed of the new operators is a
// valid model that loads and runs, so the fuzzer starts from them.
func TestMoreFuzzSeedsRun(t *testing.T) {
	for _, m := range append(moreFuzzSeeds(), int16FuzzSeeds()...) {
		op := m.OperatorCodes[0].Builtin
		b, err := schema.Marshal(m)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", op, err)
		}
		lm, err := Load(b, infer.LoadOptions{})
		if err != nil {
			t.Errorf("%s: Load: %v", op, err)
			continue
		}
		it, err := lm.NewGoInterpreter(infer.InterpreterOptions{})
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if err := it.Invoke(context.Background()); err != nil {
			t.Errorf("%s: Invoke: %v", op, err)
		}
	}
}

// moreFuzzSeeds are small models of the operators added for issue #11, so
// that FuzzLoad mutates their options and tensors too.
func moreFuzzSeeds() []*schema.Model {
	q := &schema.Quantization{Scale: []float32{0.5}, ZeroPoint: []int64{3}}
	f32 := func(d ...int32) tinyTensor { return tinyTensor{typ: schema.Float32, shape: d} }
	u8 := func(d ...int32) tinyTensor { return tinyTensor{typ: schema.UInt8, shape: d, quant: q} }
	ints := func(v ...int32) tinyTensor {
		return tinyTensor{typ: schema.Int32, shape: []int32{int32(len(v))}, data: i32bytes(v...)}
	}
	w8 := &schema.Quantization{Scale: []float32{0.02, 0.03}, ZeroPoint: []int64{0, 0}}
	return []*schema.Model{
		tiny(schema.OpStridedSlice, "", &schema.StridedSliceOptions{BeginMask: 1, ShrinkAxisMask: 2},
			[]tinyTensor{u8(3, 4, 2), ints(0, 1, 0), ints(3, 2, 2), ints(1, 1, 1), u8(3, 2)}, []int32{0, 1, 2, 3}),
		tiny(schema.OpGather, "", &schema.GatherOptions{Axis: 1},
			[]tinyTensor{f32(2, 5), ints(4, 0, 2), f32(2, 3)}, []int32{0, 1}),
		tiny(schema.OpSplitV, "", &schema.SplitVOptions{NumSplits: 1},
			[]tinyTensor{u8(2, 6), ints(6), ints(1), u8(2, 6)}, []int32{0, 1, 2}),
		tiny(schema.OpMirrorPad, "", &schema.MirrorPadOptions{Mode: schema.MirrorSymmetric},
			[]tinyTensor{f32(2, 3), {typ: schema.Int32, shape: []int32{2, 2}, data: i32bytes(1, 1, 2, 0)}, f32(4, 5)}, []int32{0, 1}),
		tiny(schema.OpResizeBilinear, "", &schema.ResizeBilinearOptions{HalfPixelCenters: true},
			[]tinyTensor{u8(1, 2, 3, 2), ints(5, 4), u8(1, 5, 4, 2)}, []int32{0, 1}),
		tiny(schema.OpBroadcastTo, "", nil, []tinyTensor{f32(1, 3), ints(2, 2, 3), f32(2, 2, 3)}, []int32{0, 1}),
		tiny(schema.OpDepthToSpace, "", &schema.DepthToSpaceOptions{BlockSize: 2}, []tinyTensor{u8(1, 1, 2, 8), u8(1, 2, 4, 2)}, []int32{0}),
		tiny(schema.OpBatchMatMul, "", &schema.BatchMatMulOptions{AdjY: true, AsymmetricQuantizeInputs: true},
			[]tinyTensor{f32(2, 3), {typ: schema.Int8, shape: []int32{2, 3}, data: []byte{1, 2, 3, 250, 5, 6}, quant: &schema.Quantization{Scale: []float32{0.1}, ZeroPoint: []int64{0}}}, f32(2, 2)}, []int32{0, 1}),
		tiny(schema.OpFullyConnected, "", &schema.FullyConnectedOptions{AsymmetricQuantizeInputs: true},
			[]tinyTensor{f32(1, 3), {typ: schema.Int8, shape: []int32{2, 3}, data: []byte{1, 2, 3, 250, 5, 6}, quant: w8}, f32(1, 2)}, []int32{0, 1}),
		tiny(schema.OpSum, "", &schema.ReducerOptions{}, []tinyTensor{u8(2, 3), ints(1), {typ: schema.UInt8, shape: []int32{2}, quant: &schema.Quantization{Scale: []float32{1.5}, ZeroPoint: []int64{0}}}}, []int32{0, 1}),
		tiny(schema.OpArgMax, "", &schema.ArgMaxOptions{OutputType: schema.Int32}, []tinyTensor{f32(2, 3), ints(1), {typ: schema.Int32, shape: []int32{2}}}, []int32{0, 1}),
		tiny(schema.OpL2Normalization, "", &schema.L2NormOptions{}, []tinyTensor{u8(1, 4), {typ: schema.UInt8, shape: []int32{1, 4}, quant: &schema.Quantization{Scale: []float32{1.0 / 128}, ZeroPoint: []int64{128}}}}, []int32{0}),
	}
}

// int16FuzzSeeds are small 16x8 models (int16 activations, int8 weights,
// int64 bias), so that FuzzLoad mutates the int16 kernels' parameters.
func int16FuzzSeeds() []*schema.Model {
	q16 := func(s float32) *schema.Quantization {
		return &schema.Quantization{Scale: []float32{s}, ZeroPoint: []int64{0}}
	}
	i16 := func(s float32, d ...int32) tinyTensor { return tinyTensor{typ: schema.Int16, shape: d, quant: q16(s)} }
	w8 := tinyTensor{typ: schema.Int8, shape: []int32{2, 1, 1, 2}, data: []byte{1, 2, 254, 5},
		quant: &schema.Quantization{Scale: []float32{0.02, 0.03}, ZeroPoint: []int64{0, 0}}}
	b64 := tinyTensor{typ: schema.Int64, shape: []int32{2}, data: []byte{10, 0, 0, 0, 0, 0, 0, 0, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	return []*schema.Model{
		tiny(schema.OpConv2D, "", &schema.Conv2DOptions{StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1, Activation: schema.ActRelu6},
			[]tinyTensor{i16(0.001, 1, 2, 2, 2), w8, b64, i16(0.002, 1, 2, 2, 2)}, []int32{0, 1, 2}),
		tiny(schema.OpAdd, "", &schema.AddOptions{}, []tinyTensor{i16(0.001, 2, 3), {typ: schema.Int16, shape: []int32{3}, quant: q16(0.003), data: []byte{1, 0, 0xff, 0xff, 0, 2}}, i16(0.004, 2, 3)}, []int32{0, 1}),
		tiny(schema.OpSoftmax, "", &schema.SoftmaxOptions{Beta: 1}, []tinyTensor{i16(0.001, 2, 5), i16(1.0/32768, 2, 5)}, []int32{0}),
		tiny(schema.OpLogistic, "", nil, []tinyTensor{i16(0.0003, 1, 7), i16(1.0/32768, 1, 7)}, []int32{0}),
		tiny(schema.OpMean, "", &schema.ReducerOptions{KeepDims: true},
			[]tinyTensor{i16(0.001, 1, 3, 3, 2), {typ: schema.Int32, shape: []int32{2}, data: i32bytes(1, 2)}, i16(0.0007, 1, 1, 1, 2)}, []int32{0, 1}),
	}
}
