package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

func TestBadModels(t *testing.T) {
	dir := sharedtest.Dir(t, "golden", "bad")
	want := map[string]string{
		"README.md":                                  "",
		"empty.tflite":                               "",
		"truncated_4096.tflite":                      "",
		"model_invoking_error.tflite":                `custom op "fake-op-double"`,
		"mobilenet_v1_0.25_128_quant_edgetpu.tflite": `model uses custom op "edgetpu-custom-op": it needs the Edge TPU runtime`,
		"person_detect_vela.tflite":                  `custom op "ethos-u"`,
		"person_detect.tflite":                       "quantized",
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "bad.tsv" {
			continue
		}
		seen++
		t.Run(e.Name(), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m, err := infer.Load(data, infer.LoadOptions{})
			if err == nil {
				t.Fatalf("Load(%q) = %v, nil; want an error", e.Name(), m)
			}
			if !errors.Is(err, infer.ErrMalformed) && !errors.Is(err, infer.ErrUnsupported) {
				t.Errorf("Load(%q) = %v; want ErrMalformed or ErrUnsupported", e.Name(), err)
			}
			t.Logf("Load(%q): %v", e.Name(), err)
			if sub := want[e.Name()]; !strings.Contains(err.Error(), sub) {
				t.Errorf("Load(%q) = %v; want it to mention %q", e.Name(), err, sub)
			}
		})
	}
	if seen < len(want) {
		t.Errorf("bad/ holds %d files; want at least %d", seen, len(want))
	}
}

func TestInvokeAllocatesNothing(t *testing.T) {
	dir, cases := goldenCases(t)
	models := map[string]bool{}
	for _, c := range cases {
		if models[c.model] {
			continue
		}
		models[c.model] = true
		for _, threads := range []int{1, 2} {
			t.Run(filepath.Base(c.model)+"/threads="+string(rune('0'+threads)), func(t *testing.T) {
				m := loadGolden(t, dir, c.model)
				if m.Info().MACs > 100e6 && testing.Short() {
					t.Skip("large model in -short mode")
				}
				it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				defer it.Close()
				ctx := context.Background()
				if err := it.Invoke(ctx); err != nil {
					t.Fatal(err)
				}
				// With 2 workers the pool's helper spins or sleeps between
				// operators, never parks (a park may allocate a runtime
				// wait record). AllocsPerRun counts the whole process, so
				// the runtime's own rare allocations under load (a new OS
				// thread, a GC's wait record) read as 0 here: it
				// truncates the mean.
				if n := testing.AllocsPerRun(20, func() { _ = it.Invoke(ctx) }); n != 0 {
					t.Errorf("Invoke allocates %v times per run; want 0", n)
				}
			})
		}
	}
}

func TestArenaReusesMemory(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	m := loadGolden(t, dir, "models/mobilenet_v2_1.0_224_quant.tflite")
	sum := 0
	for _, tp := range m.tensors {
		if tp.used && !tp.isConst() {
			sum += tp.bytes
		}
	}
	if got := m.Info().ArenaBytes; got <= 0 || got >= int64(sum)/2 {
		t.Errorf("ArenaBytes = %d; want well under the %d bytes of all activations", got, sum)
	}
	// No two tensors that are alive at once may overlap.
	for i := range m.tensors {
		a := &m.tensors[i]
		if a.offset < 0 {
			continue
		}
		for j := i + 1; j < len(m.tensors); j++ {
			b := &m.tensors[j]
			if b.offset < 0 || a.last < b.first || b.last < a.first {
				continue
			}
			if a.offset < b.offset+b.bytes && b.offset < a.offset+a.bytes {
				t.Fatalf("tensors %d [%d,%d) and %d [%d,%d) overlap while both alive", i, a.offset, a.offset+a.bytes, j, b.offset, b.offset+b.bytes)
			}
		}
	}
}

func TestInfo(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	tests := []struct {
		model string
		ops   map[string]int
		in    string
	}{
		{"models/mobilenet_v1_0.25_128_quant.tflite", map[string]int{"AVERAGE_POOL_2D": 1, "CONV_2D": 15, "DEPTHWISE_CONV_2D": 13, "RESHAPE": 1, "SOFTMAX": 1}, "uint8[1,128,128,3]"},
		{"models/mobilenet_v2_quantized_1x3x224x224.tflite", map[string]int{"ADD": 10, "CONV_2D": 35, "DEPTHWISE_CONV_2D": 17, "FULLY_CONNECTED": 1, "MEAN": 1, "PAD": 18, "RESHAPE": 1, "TRANSPOSE": 1}, "int8[1,3,224,224]"},
	}
	for _, tt := range tests {
		info := loadGolden(t, dir, tt.model).Info()
		got := map[string]int{}
		for _, oc := range info.Ops {
			got[oc.Op] = oc.Count
		}
		if len(got) != len(tt.ops) {
			t.Errorf("%s: ops %v; want %v", tt.model, got, tt.ops)
		}
		for op, n := range tt.ops {
			if got[op] != n {
				t.Errorf("%s: %s × %d; want %d", tt.model, op, got[op], n)
			}
		}
		if s := info.Inputs[0].Type.String() + shapeString(info.Inputs[0].Shape); s != tt.in {
			t.Errorf("%s: input %s; want %s", tt.model, s, tt.in)
		}
		if info.MACs <= 0 || len(info.SHA256) != 64 {
			t.Errorf("%s: MACs %d, sha256 %q", tt.model, info.MACs, info.SHA256)
		}
	}
}

// tiny builds a one-operator model: tensor 0 is the graph input, the last
// tensor the output; constants carry their bytes.
type tinyTensor struct {
	typ   schema.TensorType
	shape []int32
	data  []byte
	quant *schema.Quantization
}

func tiny(op schema.BuiltinOperator, custom string, opts any, ts []tinyTensor, inputs []int32) *schema.Model {
	m := &schema.Model{Version: 3, OperatorCodes: []schema.OperatorCode{{Builtin: op, CustomCode: custom}}, Buffers: [][]byte{nil}}
	sg := schema.Subgraph{}
	for i, tt := range ts {
		st := schema.Tensor{Name: "t" + string(rune('0'+i)), Type: tt.typ, Shape: tt.shape, Quant: tt.quant}
		if tt.data != nil {
			st.Buffer = uint32(len(m.Buffers))
			m.Buffers = append(m.Buffers, tt.data)
		}
		sg.Tensors = append(sg.Tensors, st)
	}
	out := int32(len(ts) - 1)
	sg.Inputs, sg.Outputs = []int32{0}, []int32{out}
	sg.Operators = []schema.Operator{{Inputs: inputs, Outputs: []int32{out}, Options: opts}}
	m.Subgraphs = []schema.Subgraph{sg}
	return m
}

func i32bytes(v ...int32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
	}
	return b
}

func TestPrepareErrors(t *testing.T) {
	f32 := func(shape ...int32) tinyTensor { return tinyTensor{typ: schema.Float32, shape: shape} }
	tests := []struct {
		name  string
		model *schema.Model
		kind  error
		want  string
	}{
		{"unsupported builtin", tiny(103, "", nil, []tinyTensor{f32(1, 4, 4, 1), f32(1, 8, 8, 1)}, []int32{0}),
			infer.ErrUnsupported, "unsupported op UNIQUE (operator 0)"},
		{"custom op", tiny(schema.OpCustom, "edgetpu-custom-op", nil, []tinyTensor{f32(1, 4), f32(1, 4)}, []int32{0}),
			infer.ErrUnsupported, `model uses custom op "edgetpu-custom-op": it needs the Edge TPU runtime`},
		{"reshape count mismatch", tiny(schema.OpReshape, "", &schema.ReshapeOptions{NewShape: []int32{3, 3}}, []tinyTensor{f32(2, 4), f32(3, 3)}, []int32{0}),
			infer.ErrMalformed, "cannot reshape 8 elements to [3,3]"},
		{"reshape two -1", tiny(schema.OpReshape, "", &schema.ReshapeOptions{NewShape: []int32{-1, -1}}, []tinyTensor{f32(2, 4), f32(2, 4)}, []int32{0}),
			infer.ErrMalformed, "second -1"},
		{"declared shape differs", tiny(schema.OpRelu, "", nil, []tinyTensor{f32(2, 4), f32(4, 2)}, []int32{0}),
			infer.ErrMalformed, "declared [4,2] but the operator produces [2,4]"},
		{"squeeze non-1 axis", tiny(schema.OpSqueeze, "", &schema.SqueezeOptions{SqueezeDims: []int32{1}}, []tinyTensor{f32(1, 4), f32(1, 4)}, []int32{0}),
			infer.ErrMalformed, "cannot squeeze axis 1 of [1,4]"},
		{"transpose bad perm", tiny(schema.OpTranspose, "", nil, []tinyTensor{f32(2, 3), {typ: schema.Int32, shape: []int32{2}, data: i32bytes(0, 0)}, f32(3, 2)}, []int32{0, 1}),
			infer.ErrMalformed, "is not a permutation"},
		{"mean axis out of range", tiny(schema.OpMean, "", &schema.ReducerOptions{}, []tinyTensor{f32(2, 3), {typ: schema.Int32, shape: []int32{1}, data: i32bytes(5)}, f32(2)}, []int32{0, 1}),
			infer.ErrMalformed, "axis [5] out of range"},
		{"add without broadcast", tiny(schema.OpAdd, "", &schema.AddOptions{}, []tinyTensor{f32(2, 3), {typ: schema.Float32, shape: []int32{4}, data: make([]byte, 16)}, f32(2, 3)}, []int32{0, 1}),
			infer.ErrUnsupported, "do not broadcast"},
		{"missing input", tiny(schema.OpRelu, "", nil, []tinyTensor{f32(2), f32(2)}, []int32{-1}),
			infer.ErrMalformed, "input 0 is missing"},
		{"quantized without params", tiny(schema.OpRelu, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{2}}, {typ: schema.UInt8, shape: []int32{2}}}, []int32{0}),
			infer.ErrUnsupported, "without quantization parameters"},
		{"tensor memory over the limit", tiny(schema.OpPad, "", nil, []tinyTensor{f32(1, 150_000_000), {typ: schema.Int32, shape: []int32{2, 2}, data: i32bytes(0, 0, 0, 1)}, f32(1, 150_000_001)}, []int32{0, 1}),
			infer.ErrUnsupported, "MiB of tensor memory"},
		{"constant of wrong size", tiny(schema.OpAdd, "", &schema.AddOptions{}, []tinyTensor{f32(2), {typ: schema.Float32, shape: []int32{2}, data: make([]byte, 4)}, f32(2)}, []int32{0, 1}),
			infer.ErrMalformed, "buffer holds 4 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromSchema(tt.model, infer.LoadOptions{})
			if err == nil || !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FromSchema = %v; want %v containing %q", err, tt.kind, tt.want)
			}
		})
	}
}

func TestTinyModels(t *testing.T) {
	q := func(scale float32, zp int64) *schema.Quantization {
		return &schema.Quantization{Scale: []float32{scale}, ZeroPoint: []int64{zp}}
	}
	tests := []struct {
		name  string
		model *schema.Model
		in    []byte
		want  []byte
	}{
		{"relu uint8", tiny(schema.OpRelu, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{4}, quant: q(0.5, 10)}, {typ: schema.UInt8, shape: []int32{4}, quant: q(0.5, 10)}}, []int32{0}),
			[]byte{0, 9, 10, 200}, []byte{10, 10, 10, 200}},
		{"relu6 int8", tiny(schema.OpRelu6, "", nil, []tinyTensor{{typ: schema.Int8, shape: []int32{3}, quant: q(0.1, 0)}, {typ: schema.Int8, shape: []int32{3}, quant: q(0.1, 0)}}, []int32{0}),
			[]byte{0xf6, 30, 100}, []byte{0, 30, 60}},
		{"requantize uint8 to int8", tiny(schema.OpQuantize, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{3}, quant: q(1, 128)}, {typ: schema.Int8, shape: []int32{3}, quant: q(1, 0)}}, []int32{0}),
			[]byte{0, 128, 255}, []byte{0x80, 0, 127}},
		{"squeeze", tiny(schema.OpSqueeze, "", &schema.SqueezeOptions{}, []tinyTensor{{typ: schema.UInt8, shape: []int32{1, 3, 1}, quant: q(1, 0)}, {typ: schema.UInt8, shape: []int32{3}, quant: q(1, 0)}}, []int32{0}),
			[]byte{1, 2, 3}, []byte{1, 2, 3}},
		{"transpose 2x3", tiny(schema.OpTranspose, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{2, 3}, quant: q(1, 0)}, {typ: schema.Int32, shape: []int32{2}, data: i32bytes(1, 0)}, {typ: schema.UInt8, shape: []int32{3, 2}, quant: q(1, 0)}}, []int32{0, 1}),
			[]byte{1, 2, 3, 4, 5, 6}, []byte{1, 4, 2, 5, 3, 6}},
		{"pad with zero point", tiny(schema.OpPad, "", nil, []tinyTensor{{typ: schema.UInt8, shape: []int32{1, 2}, quant: q(1, 7)}, {typ: schema.Int32, shape: []int32{2, 2}, data: i32bytes(0, 0, 1, 1)}, {typ: schema.UInt8, shape: []int32{1, 4}, quant: q(1, 7)}}, []int32{0, 1}),
			[]byte{1, 2}, []byte{7, 1, 2, 7}},
		{"mean int8 over last axis", tiny(schema.OpMean, "", &schema.ReducerOptions{}, []tinyTensor{{typ: schema.Int8, shape: []int32{2, 2}, quant: q(1, 0)}, {typ: schema.Int32, shape: []int32{1}, data: i32bytes(-1)}, {typ: schema.Int8, shape: []int32{2}, quant: q(1, 0)}}, []int32{0, 1}),
			// Equal input and output quantization: TFLite's reference
			// integer Mean divides the code sums truncating (3/2 = 1).
			[]byte{1, 2, 0xfc, 0xfe}, []byte{1, 0xfd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := FromSchema(tt.model, infer.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			it, err := m.NewGoInterpreter(infer.InterpreterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			copy(it.Inputs()[0].Data, tt.in)
			if err := it.Invoke(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := it.Outputs()[0].Data; string(got) != string(tt.want) {
				t.Errorf("output %v; want %v", got, tt.want)
			}
		})
	}
}

func TestInvokeHonoursContext(t *testing.T) {
	m, err := FromSchema(tiny(schema.OpRelu, "", nil, []tinyTensor{{typ: schema.Float32, shape: []int32{2}}, {typ: schema.Float32, shape: []int32{2}}}, []int32{0}), infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := m.NewGoInterpreter(infer.InterpreterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := it.Invoke(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke(canceled) = %v; want context.Canceled", err)
	}
}

// TestConcurrentInterpreters runs interpreters of one Model on several
// goroutines (the Model and its packed filters are shared read-only).
func TestConcurrentInterpreters(t *testing.T) {
	dir, cases := goldenCases(t)
	var c goldenCase
	for _, gc := range cases {
		if strings.HasPrefix(gc.name, "vww_96_int8__") {
			c = gc
			break
		}
	}
	if c.name == "" {
		t.Skip("no vww_96_int8 case in cases.tsv")
	}
	m := loadGolden(t, dir, c.model)
	in, err := os.ReadFile(filepath.Join(dir, c.input))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, c.expected))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: 1 + g%2})
			if err != nil {
				errs <- err
				return
			}
			defer it.Close()
			for range 3 {
				copy(it.Inputs()[0].Data, in)
				if err := it.Invoke(context.Background()); err != nil {
					errs <- err
					return
				}
				if string(it.Outputs()[0].Data) != string(want) {
					errs <- errors.New("output differs from the golden")
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
