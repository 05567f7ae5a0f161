package tflite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

func TestWriteInfo(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	m := loadGolden(t, dir, "models/mobilenet_v1_0.25_128_quant.tflite")
	var b bytes.Buffer
	if err := WriteInfo(&b, m.Info()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`input 0: uint8[1,128,128,3] "input" scale=0.0078125 zero_point=128 (49152 bytes)`,
		`output 0: uint8[1,1001]`,
		"CONV_2D              15",
		"DEPTHWISE_CONV_2D    13",
		"total                31",
		"MACs:",
		"arena:",
		"labels:",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteInfo output lacks %q:\n%s", want, b.String())
		}
	}
}

func TestRunRaw(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	m := loadGolden(t, dir, "models/pretrainedResnet_quant.tflite")
	tests := []struct {
		name    string
		in      string
		want    string // expected output file; "" = an error
		errText string
	}{
		{"golden case", "inputs/pretrainedResnet_quant__n03095699_container_ship.raw", "expected/pretrainedResnet_quant__n03095699_container_ship.raw", ""},
		{"wrong size", "inputs/vww_96_int8__person.raw", "", `input is 27648 bytes, but input tensor 0 ("input_1_int8") is int8[1,32,32,3] = 3072 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(dir, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			out, err := RunRaw(context.Background(), m, in, 2)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("RunRaw(%s) = %v; want an error containing %q", tt.in, err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("RunRaw output differs from %s", tt.want)
			}
		})
	}
}

func TestBench(t *testing.T) {
	dir := sharedtest.Dir(t, "golden")
	m := loadGolden(t, dir, "models/pretrainedResnet_quant.tflite")
	r, err := Bench(context.Background(), m, 1, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Runs != 5 || r.Min <= 0 || r.Min > r.Median || r.Median > r.P90 || r.P90 > r.P99 {
		t.Errorf("Bench = %+v; want 5 runs with min ≤ median ≤ p90 ≤ p99", r)
	}
	ops, err := BenchOps(context.Background(), m, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range ops {
		n += o.Count
	}
	if n != len(m.ops) || ops[0].Op != "CONV_2D" {
		t.Errorf("BenchOps = %+v; want %d operators, CONV_2D first", ops, len(m.ops))
	}
	// The MACs per type add up to the model's; the GEMM-like types have
	// some, the layout ones none.
	var macs int64
	for _, o := range ops {
		macs += o.MACs
		switch o.Op {
		case "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED":
			if o.MACs <= 0 || o.GMACs() <= 0 {
				t.Errorf("%s: MACs %d, %g GMAC/s; want both > 0", o.Op, o.MACs, o.GMACs())
			}
		case "RESHAPE":
			if o.MACs != 0 || o.GMACs() != 0 {
				t.Errorf("%s: MACs %d, %g GMAC/s; want 0", o.Op, o.MACs, o.GMACs())
			}
		}
	}
	if want := m.Info().MACs; macs != want {
		t.Errorf("BenchOps MACs add up to %d; the model has %d", macs, want)
	}
	// Per layer: every operator once, in plan order, with its shapes; a
	// convolution's weights are 4-D.
	layers, err := BenchLayers(context.Background(), m, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != len(m.ops) {
		t.Fatalf("BenchLayers gave %d layers; the model has %d operators", len(layers), len(m.ops))
	}
	var layerMACs int64
	for i, l := range layers {
		layerMACs += l.MACs
		if l.Index != i || l.Op != m.ops[i].name || len(l.In) == 0 || len(l.Out) == 0 || l.Time <= 0 {
			t.Errorf("layer %d = %+v; want its index, type, input and output shapes and a time", i, l)
		}
		if l.Op == "CONV_2D" && (len(l.Weights) != 4 || l.GMACs() <= 0) {
			t.Errorf("layer %d (CONV_2D): weights %v, %g GMAC/s; want a 4-D filter and a rate", i, l.Weights, l.GMACs())
		}
	}
	if layerMACs != macs {
		t.Errorf("BenchLayers MACs add up to %d; BenchOps's to %d", layerMACs, macs)
	}
	if _, err := Bench(context.Background(), m, 1, 0, 0); err == nil {
		t.Error("Bench(runs=0) = nil error; want one")
	}
}
