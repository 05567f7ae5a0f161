package optest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

// required lists every operator the interpreter executes and the dtypes
// each must be tested with; fused says the op takes a fused activation
// (all four must be tested, with every dtype unless noFused8 excludes the
// 8-bit ones, as TFLite refuses them).
var required = []struct {
	op       string
	dtypes   []string
	fused    bool
	noFused8 bool
}{
	{op: "CONV_2D", dtypes: []string{"float32", "uint8", "int8", "int16", hybrid}, fused: true},
	{op: "DEPTHWISE_CONV_2D", dtypes: []string{"float32", "uint8", "int8", "int16", hybrid}, fused: true},
	{op: "FULLY_CONNECTED", dtypes: []string{"float32", "uint8", "int8", "int16", hybrid}, fused: true},
	{op: "AVERAGE_POOL_2D", dtypes: []string{"float32", "uint8", "int8", "int16"}, fused: true},
	{op: "MAX_POOL_2D", dtypes: []string{"float32", "uint8", "int8", "int16"}, fused: true},
	{op: "MEAN", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "ADD", dtypes: []string{"float32", "uint8", "int8", "int16", "int32"}, fused: true},
	{op: "MUL", dtypes: []string{"float32", "uint8", "int8", "int16", "int32"}, fused: true},
	{op: "PAD", dtypes: []string{"float32", "uint8", "int8", "int32"}},
	{op: "RESHAPE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SQUEEZE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "TRANSPOSE", dtypes: []string{"float32", "uint8", "int8", "int32"}},
	{op: "CONCATENATION", dtypes: []string{"float32", "uint8", "int8", "int32"}, fused: true, noFused8: true},
	{op: "SOFTMAX", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "LOGISTIC", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "HARD_SWISH", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "RELU", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "RELU6", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "QUANTIZE", dtypes: []string{"float32→uint8", "float32→int8", "uint8→uint8", "uint8→int8", "int8→uint8", "int8→int8", "float32→int16", "int16→int16", "int16→int8", "int8→int16"}},
	{op: "DEQUANTIZE", dtypes: []string{"uint8→float32", "int8→float32", "int16→float32", "float16→float32"}},
	{op: "SLICE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "STRIDED_SLICE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SPLIT", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SPLIT_V", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "UNPACK", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "PACK", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "GATHER", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "EXPAND_DIMS", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "BROADCAST_TO", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "DEPTH_TO_SPACE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SPACE_TO_DEPTH", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "MIRROR_PAD", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "PADV2", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "RESIZE_NEAREST_NEIGHBOR", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "RESIZE_BILINEAR", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "BATCH_MATMUL", dtypes: []string{"float32", "int8", hybrid}},
	{op: "TANH", dtypes: []string{"float32", "uint8", "int8", "int16"}},
	{op: "ELU", dtypes: []string{"float32", "int8"}},
	{op: "EXP", dtypes: []string{"float32", "int8"}},
	{op: "GELU", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "GELU_TANH", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "LEAKY_RELU", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "RELU_N1_TO_1", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "ABS", dtypes: []string{"float32", "int8"}},
	{op: "NEG", dtypes: []string{"float32", "int8"}},
	{op: "LOG", dtypes: []string{"float32", "int8"}},
	{op: "SQRT", dtypes: []string{"float32", "int8"}},
	{op: "RSQRT", dtypes: []string{"float32", "int8"}},
	{op: "SQUARE", dtypes: []string{"float32"}},
	{op: "LOG_SOFTMAX", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "L2_NORMALIZATION", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SUB", dtypes: []string{"float32", "uint8", "int8", "int16", "int32"}, fused: true},
	{op: "DIV", dtypes: []string{"float32", "uint8"}, fused: true},
	{op: "MAXIMUM", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "MINIMUM", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SQUARED_DIFFERENCE", dtypes: []string{"float32", "int8"}},
	{op: "PRELU", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SUM", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "REDUCE_MAX", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "REDUCE_MIN", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "REDUCE_PROD", dtypes: []string{"float32", "int8", "int16"}},
	{op: "ARG_MAX", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "ARG_MIN", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "SHAPE", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "FILL", dtypes: []string{"float32", "uint8", "int8"}},
	{op: "ZEROS_LIKE", dtypes: []string{"float32", "int32"}},
	{op: "CAST", dtypes: []string{"float32→int32", "int32→float32", "uint8→float32", "int8→int32", "float32→int64"}},
}

const minCases = 5

// TestCoverage checks that every op × dtype × activation has at least
// minCases parameter combinations, that case names are unique, and logs
// the coverage table (the one in docs/optest.md).
func TestCoverage(t *testing.T) {
	count := map[string]int{}
	seen := map[string]bool{}
	for _, c := range allCases() {
		if seen[c.name()] {
			t.Errorf("case %q is listed twice", c.name())
		}
		seen[c.name()] = true
		count[c.op+"/"+c.dtype+"/"+c.act]++
		if c.op == "DEPTHWISE_CONV_2D" {
			count[c.op+"/"+c.dtype+"/"+c.act+"/"+c.params[strings.LastIndex(c.params, "_"):]]++
		}
	}
	var b strings.Builder
	b.WriteString("| op | dtype | none | relu | relu6 | relu_n1_to_1 |\n|---|---|---|---|---|---|\n")
	total := 0
	for _, r := range required {
		for _, d := range r.dtypes {
			fmt.Fprintf(&b, "| %s | %s |", r.op, d)
			for _, a := range allActs {
				act := actNames[a]
				n := count[r.op+"/"+d+"/"+act]
				total += n
				wantIt := act == "none" || r.fused && !(r.noFused8 && d != "float32")
				switch {
				case wantIt && n < minCases:
					t.Errorf("%s/%s/%s has %d cases; want at least %d", r.op, d, act, n, minCases)
				case !wantIt && n > 0:
					t.Errorf("%s/%s/%s has %d cases; the table says the op takes no such activation", r.op, d, act, n)
				}
				if wantIt {
					fmt.Fprintf(&b, " %d |", n)
				} else {
					b.WriteString(" – |")
				}
				if r.op == "DEPTHWISE_CONV_2D" && wantIt {
					for _, m := range []string{"_m1", "_m2"} {
						if k := count[r.op+"/"+d+"/"+act+"/"+m]; k < minCases {
							t.Errorf("%s/%s/%s depth multiplier %s has %d cases; want at least %d", r.op, d, act, m[2:], k, minCases)
						}
					}
				}
			}
			b.WriteString("\n")
		}
	}
	if total != len(allCases()) {
		t.Errorf("the table counts %d cases; allCases has %d (an op or dtype missing from required?)", total, len(allCases()))
	}
	t.Logf("%d single-op cases:\n%s", total, b.String())
}

// TestCheckCatchesKernelErrors makes sure the comparison is not vacuous:
// real outputs pass, and the same outputs made wrong the way a broken
// kernel would be are refused.
func TestCheckCatchesKernelErrors(t *testing.T) {
	pick := map[string]opCase{}
	for _, c := range allCases() {
		switch c.name() {
		case "CONV_2D/uint8/relu6/" + convTable[5].String(),
			"ADD/int8/none/[1 4 4 3]_[3]",
			"AVERAGE_POOL_2D/int8/none/" + poolName(poolTable[1]),
			"SOFTMAX/uint8/none/in[1 1001]_beta1",
			"CONV_2D/float32/none/" + convTable[0].String():
			pick[c.name()] = c
		}
	}
	if len(pick) != 5 {
		t.Fatalf("found %d of the 5 cases to perturb; were the tables renamed?", len(pick))
	}
	perturb := []struct {
		name string
		f    func(r *rand.Rand, v []byte, float bool)
	}{
		{"every element one step up", func(r *rand.Rand, v []byte, float bool) {
			for i := range v {
				if v[i] != 255 && v[i] != 127 {
					v[i]++
				}
			}
		}},
		{"one element in ten one step off", func(r *rand.Rand, v []byte, float bool) {
			for i := 0; i < len(v); i += 10 {
				if v[i] == 0 || v[i] == 128 { // lowest uint8 / int8 code
					v[i]++
				} else {
					v[i]--
				}
			}
		}},
		{"one element two steps off", func(r *rand.Rand, v []byte, float bool) {
			i := r.IntN(len(v))
			if float {
				i &^= 3
				i++ // second byte of a float32: a relative change ≥ 2⁻¹⁶
			}
			v[i] ^= 2
		}},
	}
	for name, c := range pick {
		r := rand.New(rand.NewPCG(seedOf(c.name()), 1))
		g, ins, wants := c.build(r)
		data, err := g.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		outs, err := runModel(data, ins, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, problems := check(outs, wants, c.maxOff); len(problems) > 0 {
			t.Fatalf("%s: unperturbed outputs fail: %v", name, problems)
		}
		float := wants[0].out.d.float()
		for _, p := range perturb {
			if float && p.name != "one element two steps off" {
				continue
			}
			bad := *outs[0]
			bad.Data = slices.Clone(outs[0].Data)
			p.f(r, bad.Data, float)
			if _, problems := check([]*infer.Tensor{&bad}, wants, c.maxOff); len(problems) == 0 {
				t.Errorf("%s with %s: check found no problem", name, p.name)
			}
		}
	}
}
