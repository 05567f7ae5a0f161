package schema

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer/modelerr"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// readTSV reads a tab-separated file with a header line into maps keyed
// by column name.
// opSummary formats operator counts as models.tsv does:
// "ADD×10, AVERAGE_POOL_2D×1, CONV_2D×36".
func opSummary(m *Model) string {
	counts := map[string]int{}
	for _, op := range m.Subgraphs[0].Operators {
		counts[m.OperatorCodes[op.OpcodeIndex].Name()]++
	}
	var parts []string
	for name, n := range counts {
		parts = append(parts, fmt.Sprintf("%s×%d", name, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// tensorSummary formats a tensor as models.tsv's input and output columns
// do: "uint8[1,224,224,3] scale=0.0078125 zp=128" (scale with 9
// significant digits).
func tensorSummary(t *Tensor) string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = fmt.Sprint(d)
	}
	s := strings.ToLower(t.Type.String()) + "[" + strings.Join(dims, ",") + "]"
	if t.Quant != nil && len(t.Quant.Scale) == 1 {
		s += fmt.Sprintf(" scale=%.9g zp=%d", t.Quant.Scale[0], t.Quant.ZeroPoint[0])
	}
	return s
}

func TestGoldenModels(t *testing.T) {
	golden := sharedtest.Dir(t, "golden")
	rows := sharedtest.ReadTSV(t, filepath.Join(golden, "models.tsv"))
	if len(rows) != 14 {
		t.Errorf("models.tsv lists %d models; want 14", len(rows))
	}
	for _, row := range rows {
		t.Run(filepath.Base(row["model"]), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(golden, row["model"]))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if err := Validate(m); err != nil {
				t.Fatalf("Validate = %v", err)
			}
			if got := opSummary(m); got != row["ops"] {
				t.Errorf("ops = %q; want %q", got, row["ops"])
			}
			sg := &m.Subgraphs[0]
			if got := tensorSummary(&sg.Tensors[sg.Inputs[0]]); got != row["input"] {
				t.Errorf("input = %s; want %s", got, row["input"])
			}
			if got := tensorSummary(&sg.Tensors[sg.Outputs[0]]); got != row["output"] {
				t.Errorf("output = %s; want %s", got, row["output"])
			}

			out, err := Marshal(m)
			if err != nil {
				t.Fatalf("Marshal = %v", err)
			}
			m2, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal(m)) = %v", err)
			}
			if !reflect.DeepEqual(m, m2) {
				t.Errorf("Parse(Marshal(m)) differs from m")
			}

			labels, err := Labels(data, m)
			if err != nil {
				t.Fatalf("Labels = %v", err)
			}
			if labels == nil {
				return // this model carries no labels
			}
			want, err := os.ReadFile(filepath.Join(golden, row["labels"]))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(labels, splitLabels(want)) {
				t.Errorf("embedded labels (%d) differ from %s", len(labels), row["labels"])
			}
		})
	}
}

func TestGoldenMetadata(t *testing.T) {
	dir := sharedtest.Dir(t, "golden", "models")
	tests := []struct {
		model      string
		name       string
		labelFile  string
		mean, std  []float32
		noMetadata bool
	}{
		{model: "automl_labeler_model.tflite", name: "AutoML image classifier", labelFile: "labels.txt", mean: []float32{0}, std: []float32{1}},
		{model: "mobilenet_v1_0.25_128_quant.tflite", name: "ImageClassifier", labelFile: "imagenet_labels.txt", mean: []float32{127.5}, std: []float32{127.5}},
		{model: "mobilenet_v2_1.0_224_inat_bird_quant.tflite", name: "ImageClassifier", labelFile: "inat_bird_labels.txt", mean: []float32{127.5}, std: []float32{127.5}},
		{model: "mobilenet_v1_0.25_224_1_default_1.tflite", noMetadata: true},
		{model: "vww_96_int8.tflite", noMetadata: true},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.model))
			if err != nil {
				t.Fatal(err)
			}
			md, err := ReadMetadata(nil, data)
			if err != nil {
				t.Fatalf("ReadMetadata = %v", err)
			}
			if tt.noMetadata {
				if md != nil {
					t.Errorf("ReadMetadata = %+v; want nil", md)
				}
				return
			}
			if md == nil {
				t.Fatal("ReadMetadata = nil; want metadata")
			}
			mean, std := md.Normalization()
			if md.Name != tt.name || md.LabelFile() != tt.labelFile || !reflect.DeepEqual(mean, tt.mean) || !reflect.DeepEqual(std, tt.std) {
				t.Errorf("metadata name %q, labels %q, mean %v, std %v; want %q, %q, %v, %v", md.Name, md.LabelFile(), mean, std, tt.name, tt.labelFile, tt.mean, tt.std)
			}
		})
	}
}

// load is what a model loader does: parse, then validate.
func load(data []byte) error {
	m, err := Parse(data)
	if err != nil {
		return err
	}
	return Validate(m)
}

func TestBadFiles(t *testing.T) {
	dir := sharedtest.Dir(t, "golden", "bad")
	tests := map[string]struct {
		kind error
		want []string
	}{
		"README.md":                                  {modelerr.ErrMalformed, []string{"file identifier", `want "TFL3"`}},
		"empty.tflite":                               {modelerr.ErrMalformed, []string{"empty file"}},
		"truncated_4096.tflite":                      {modelerr.ErrMalformed, []string{"past the end of the 4096-byte file", "truncated"}},
		"model_invoking_error.tflite":                {modelerr.ErrUnsupported, []string{`custom op "fake-op-double"`}},
		"mobilenet_v1_0.25_128_quant_edgetpu.tflite": {modelerr.ErrUnsupported, []string{`custom op "edgetpu-custom-op"`, "Edge TPU"}},
		"person_detect_vela.tflite":                  {modelerr.ErrUnsupported, []string{`custom op "ethos-u"`, "Ethos-U NPU"}},
		"person_detect.tflite": {modelerr.ErrMalformed, []string{
			`tensor 33 "MobilenetV1/MobilenetV1/Conv2d_0/Conv2D_bias"`,
			"quantized_dimension must be in range [0, 1)", "was 3"}},
	}
	rows := sharedtest.ReadTSV(t, filepath.Join(dir, "bad.tsv"))
	for _, row := range rows {
		if _, ok := tests[row["file"]]; !ok {
			t.Errorf("bad.tsv lists %s, which this test does not cover", row["file"])
		}
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			err = load(data)
			if err == nil {
				t.Fatalf("Parse+Validate = nil; want an error")
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q does not wrap %v", err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Every prefix of a real model is refused (or, for prefixes that happen to
// hold the whole FlatBuffer, accepted) without a panic.
func TestTruncatedGolden(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedtest.Dir(t, "golden", "models"), "pretrainedResnet_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	step := 1
	if testing.Short() {
		step = 97
	}
	for n := 0; n < len(data); n += step {
		if err := load(data[:n]); err == nil {
			t.Errorf("load(first %d of %d bytes) = nil; want an error", n, len(data))
		}
	}
}

// TestGoldenLayers checks the parser against what the real TFLite runtime
// reported for every non-constant tensor of five models (golden/layers):
// name, type, shape, size, quantization, and which operator produces it.
func TestGoldenLayers(t *testing.T) {
	golden := sharedtest.Dir(t, "golden", "layers")
	cases, err := filepath.Glob(filepath.Join(golden, "*", "index.tsv"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden/layers/*/index.tsv found (%v)", err)
	}
	for _, index := range cases {
		caseName := filepath.Base(filepath.Dir(index))
		t.Run(caseName, func(t *testing.T) {
			model := strings.SplitN(caseName, "__", 2)[0] + ".tflite"
			data, err := os.ReadFile(filepath.Join(filepath.Dir(golden), "models", model))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			sg := &m.Subgraphs[0]
			for _, row := range sharedtest.ReadTSV(t, index) {
				var ti int
				if _, err := fmt.Sscan(row["tensor"], &ti); err != nil || ti < 0 || ti >= len(sg.Tensors) {
					t.Fatalf("tensor %q: bad index (%v)", row["tensor"], err)
				}
				tn := &sg.Tensors[ti]
				dims := make([]string, len(tn.Shape))
				for i, d := range tn.Shape {
					dims[i] = fmt.Sprint(d)
				}
				size, _ := tn.Type.ByteSize(int64(tensorElements(tn)))
				got := fmt.Sprintf("%s %s %s %d", tn.Name, strings.ToLower(tn.Type.String()), strings.Join(dims, "x"), size)
				want := fmt.Sprintf("%s %s %s %s", row["name"], row["dtype"], row["shape"], row["bytes"])
				if got != want {
					t.Errorf("tensor %d = %s; want %s", ti, got, want)
				}
				switch scale := row["scale"]; {
				case scale == "":
					if tn.Quant != nil && len(tn.Quant.Scale) > 0 {
						t.Errorf("tensor %d: quantized (%v); TFLite says it is not", ti, tn.Quant.Scale)
					}
				case scale == "per-channel":
					if tn.Quant == nil || len(tn.Quant.Scale) < 2 {
						t.Errorf("tensor %d: not per-channel quantized", ti)
					}
				default:
					var s float32
					var zp int64
					fmt.Sscan(scale, &s)
					fmt.Sscan(row["zero_point"], &zp)
					if tn.Quant == nil || len(tn.Quant.Scale) != 1 || tn.Quant.Scale[0] != s || tn.Quant.ZeroPoint[0] != zp {
						t.Errorf("tensor %d: quantization %+v; want scale %v zero point %d", ti, tn.Quant, s, zp)
					}
				}
				var oi int
				fmt.Sscan(row["op_index"], &oi)
				if oi == -1 {
					if !slices.Contains(sg.Inputs, int32(ti)) {
						t.Errorf("tensor %d: TFLite says it is a graph input; inputs are %v", ti, sg.Inputs)
					}
				} else {
					op := &sg.Operators[oi]
					if name := m.OperatorCodes[op.OpcodeIndex].Name(); name != row["op"] || !slices.Contains(op.Outputs, int32(ti)) {
						t.Errorf("tensor %d: produced by operator %d %s with outputs %v; want %s producing it", ti, oi, name, op.Outputs, row["op"])
					}
				}
				if (row["is_output"] == "1") != slices.Contains(sg.Outputs, int32(ti)) {
					t.Errorf("tensor %d: is_output %s, graph outputs %v", ti, row["is_output"], sg.Outputs)
				}
			}
		})
	}
}

func tensorElements(t *Tensor) int {
	n := 1
	for _, d := range t.Shape {
		n *= int(d)
	}
	return n
}
