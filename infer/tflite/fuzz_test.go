package tflite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// Fuzzing caps: a model above these is loaded and planned but not run.
const (
	fuzzMaxMACs  = 20e6
	fuzzMaxArena = 32 << 20
)

// FuzzLoad checks that no byte string makes Load, NewInterpreter or one
// Invoke panic. Seeds: small hand-built models and the small golden models.
func FuzzLoad(f *testing.F) {
	q := &schema.Quantization{Scale: []float32{0.5}, ZeroPoint: []int64{3}}
	seeds := []*schema.Model{
		tiny(schema.OpRelu, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{4}, quant: q}, {typ: schema.UInt8, shape: []int32{4}, quant: q}}, []int32{0}),
		tiny(schema.OpSoftmax, "", &schema.SoftmaxOptions{Beta: 1}, []tinyTensor{{typ: schema.Int8, shape: []int32{1, 4}, quant: q}, {typ: schema.Int8, shape: []int32{1, 4}, quant: &schema.Quantization{Scale: []float32{1.0 / 256}, ZeroPoint: []int64{-128}}}}, []int32{0}),
		tiny(schema.OpTranspose, "", nil, []tinyTensor{{typ: schema.Float32, shape: []int32{2, 3}}, {typ: schema.Int32, shape: []int32{2}, data: i32bytes(1, 0)}, {typ: schema.Float32, shape: []int32{3, 2}}}, []int32{0, 1}),
		tiny(schema.OpPad, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{1, 2}, quant: q}, {typ: schema.Int32, shape: []int32{2, 2}, data: i32bytes(0, 0, 1, 1)}, {typ: schema.UInt8, shape: []int32{1, 4}, quant: q}}, []int32{0, 1}),
		tiny(schema.OpAveragePool2D, "", &schema.Pool2DOptions{StrideW: 1, StrideH: 1, FilterWidth: 2, FilterHeight: 2}, []tinyTensor{{typ: schema.Int8, shape: []int32{1, 3, 3, 2}, quant: q}, {typ: schema.Int8, shape: []int32{1, 3, 3, 2}, quant: q}}, []int32{0}),
	}
	w := make([]byte, 2*3*3*2)
	bias := i32bytes(5, -5)
	pc := &schema.Quantization{Scale: []float32{0.1, 0.2}, ZeroPoint: []int64{0, 0}}
	seeds = append(seeds,
		tiny(schema.OpConv2D, "", &schema.Conv2DOptions{Padding: schema.PaddingSame, StrideW: 2, StrideH: 2, DilationW: 1, DilationH: 1, Activation: schema.ActRelu6},
			[]tinyTensor{{typ: schema.Int8, shape: []int32{1, 5, 5, 2}, quant: q}, {typ: schema.Int8, shape: []int32{2, 3, 3, 2}, data: w, quant: pc}, {typ: schema.Int32, shape: []int32{2}, data: bias}, {typ: schema.Int8, shape: []int32{1, 3, 3, 2}, quant: q}}, []int32{0, 1, 2}),
		tiny(schema.OpDepthwiseConv2D, "", &schema.DepthwiseConv2DOptions{Padding: schema.PaddingValid, StrideW: 1, StrideH: 1, DepthMultiplier: 1, DilationW: 1, DilationH: 1},
			[]tinyTensor{{typ: schema.UInt8, shape: []int32{1, 4, 4, 2}, quant: q}, {typ: schema.UInt8, shape: []int32{1, 3, 3, 2}, data: w[:18], quant: q}, {typ: schema.Int32, shape: []int32{2}, data: bias}, {typ: schema.UInt8, shape: []int32{1, 2, 2, 2}, quant: q}}, []int32{0, 1, 2}),
		tiny(schema.OpFullyConnected, "", &schema.FullyConnectedOptions{},
			[]tinyTensor{{typ: schema.Float32, shape: []int32{1, 9}}, {typ: schema.Float32, shape: []int32{2, 9}, data: make([]byte, 72)}, {typ: schema.Float32, shape: []int32{1, 2}}}, []int32{0, 1}),
		tiny(schema.OpMean, "", &schema.ReducerOptions{KeepDims: true},
			[]tinyTensor{{typ: schema.Int8, shape: []int32{1, 3, 3, 4}, quant: q}, {typ: schema.Int32, shape: []int32{2}, data: i32bytes(1, 2)}, {typ: schema.Int8, shape: []int32{1, 1, 1, 4}, quant: q}}, []int32{0, 1}),
		tiny(schema.OpConcatenation, "", &schema.ConcatenationOptions{Axis: 1},
			[]tinyTensor{{typ: schema.UInt8, shape: []int32{1, 2}, quant: q}, {typ: schema.UInt8, shape: []int32{1, 3}, data: []byte{1, 2, 3}, quant: q}, {typ: schema.UInt8, shape: []int32{1, 5}, quant: q}}, []int32{0, 1}),
	)
	seeds = append(seeds, moreFuzzSeeds()...)
	seeds = append(seeds, int16FuzzSeeds()...)
	for _, m := range seeds {
		b, err := schema.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if root := sharedtest.Find(); root != "" {
		for _, name := range []string{"pretrainedResnet_quant.tflite", "vww_96_int8.tflite"} {
			if b, err := os.ReadFile(filepath.Join(root, "golden", "models", name)); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data, infer.LoadOptions{})
		if err != nil {
			return
		}
		info := m.Info()
		if info.MACs > fuzzMaxMACs || info.ArenaBytes > fuzzMaxArena {
			return
		}
		for _, threads := range []int{1, 2} {
			it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
			if err != nil {
				t.Fatalf("NewInterpreter after a successful Load: %v", err)
			}
			for i, in := range it.Inputs() {
				for j := range in.Data {
					in.Data[j] = byte(i*31 + j*7)
				}
			}
			if err := it.Invoke(context.Background()); err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			it.Close()
		}
	})
}
