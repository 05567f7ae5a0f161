package optest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
)

// tfjsDir finds the npm prefix `make tfjs` installs into: $FOVEA_TFJS, or
// .tfjs at the module root.
func tfjsDir() string {
	if d := os.Getenv("FOVEA_TFJS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".tfjs")
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// tfjsDiffer is where the WebAssembly TFLite (an older TFLite, 2022) is
// known to compute differently from the built-in x86 kernels Fovea
// matches, keyed by op/dtype; every other case must agree.
var tfjsDiffer = map[string]string{
	"CONCATENATION/uint8": "the WebAssembly runner delegates to XNNPACK, whose uint8 concatenation copies codes " +
		"without rescaling inputs quantized unlike the output; TFLite's built-in ConcatenationWithScaling rescales, " +
		"as Fovea does (TestSingleOp checks it against the exact result)",
	"RESIZE_BILINEAR/int8": "old TFLite resized int8 in float; the built-in kernel of TFLite 2.19 (ResizeBilinearInteger) " +
		"uses 10-bit integer weights, which Fovea follows; they differ by up to two steps where neighbours differ a lot",
	"FULLY_CONNECTED/float32×int8": "old TFLite's hybrid FULLY_CONNECTED applies the first weight scale to every unit; " +
		"with per-tensor weights it agrees bit for bit, per-channel hybrid weights need a newer TFLite",
}

// TestTFLiteWasm runs every single-op model of the tables in a real TFLite
// compiled to WebAssembly (@tensorflow/tfjs-tflite, `make tfjs`) and
// compares its outputs with Fovea's: 8-bit within one step, float within
// 1e-5 (relative to max(1, |x|)), integers exactly. It is a second
// opinion: that TFLite is older, its 8-bit kernels round like the
// reference kernels, and it lacks newer operators; such differences are
// logged per op and dtype, and only agreement failures elsewhere fail the
// test.
func TestTFLiteWasm(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("skipping: node is not installed (apt-get install nodejs npm; make tfjs)")
	}
	pkg := tfjsDir()
	if _, err := os.Stat(filepath.Join(pkg, "node_modules/@tensorflow/tfjs-tflite/wasm/tflite_web_api_cc_simd.wasm")); err != nil {
		t.Skipf("skipping: @tensorflow/tfjs-tflite is not installed in %s (run make tfjs)", pkg)
	}
	dir := t.TempDir()
	cases := allCases()
	type ours struct {
		outs []*infer.Tensor
		err  error
	}
	got := make([]ours, len(cases))
	for i, c := range cases {
		r := rand.New(rand.NewPCG(seedOf(c.name()), 1))
		g, ins, _ := c.build(r)
		data, err := g.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(name+".tflite", data, 0o644); err != nil {
			t.Fatal(err)
		}
		for j, in := range ins {
			if err := os.WriteFile(fmt.Sprintf("%s.in%d", name, j), in.bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got[i].outs, got[i].err = runModel(data, ins, 1)
	}
	cmd := exec.Command(node, "tfjs/run.js", pkg, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node tfjs/run.js: %v\n%s", err, out)
	}
	type tally struct{ n, same, within, differ, refused int }
	per := map[string]*tally{}
	var keys []string
	for i, c := range cases {
		key := c.op + "/" + c.dtype
		tl := per[key]
		if tl == nil {
			tl = &tally{}
			per[key] = tl
			keys = append(keys, key)
		}
		tl.n++
		name := filepath.Join(dir, fmt.Sprint(i))
		if msg, err := os.ReadFile(name + ".err"); err == nil {
			tl.refused++
			if tl.refused == 1 {
				t.Logf("%s: TFLite-wasm refuses the model: %s", c.name(), firstLine(string(msg)))
			}
			continue
		}
		if got[i].err != nil {
			t.Errorf("%s: Fovea: %v", c.name(), got[i].err)
			continue
		}
		same, within := true, true
		for j, o := range got[i].outs {
			ref, err := os.ReadFile(fmt.Sprintf("%s.out%d", name, j))
			if err != nil {
				t.Errorf("%s: no output %d from TFLite-wasm", c.name(), j)
				within = false
				break
			}
			s, w, why := agree(o, ref)
			same, within = same && s, within && w
			if !w && tl.differ == 0 {
				t.Logf("%s output %d: %s", c.name(), j, why)
			}
		}
		switch {
		case same:
			tl.same++
		case within:
			tl.within++
		default:
			tl.differ++
			if _, known := tfjsDiffer[key]; !known {
				t.Errorf("%s: Fovea and TFLite-wasm disagree beyond one step / 1e-5", c.name())
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if why, ok := tfjsDiffer[k]; ok && per[k].differ > 0 {
			t.Logf("known difference %s (%d of %d cases): %s", k, per[k].differ, per[k].n, why)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s %-16s %5s %5s %7s %7s %8s\n", "op", "dtype", "cases", "equal", "±1/1e-5", "differ", "refused")
	for _, k := range keys {
		tl := per[k]
		op, dt, _ := strings.Cut(k, "/")
		fmt.Fprintf(&b, "%-28s %-16s %5d %5d %7d %7d %8d\n", op, dt, tl.n, tl.same, tl.within, tl.differ, tl.refused)
	}
	t.Logf("Fovea against TFLite-wasm (tfjs-tflite 0.0.1-alpha.10), %d single-op models:\n%s", len(cases), b.String())
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// agree compares one of Fovea's outputs with TFLite-wasm's raw bytes:
// identical, or within one step (8- and 16-bit) / 1e-5 (float).
func agree(o *infer.Tensor, ref []byte) (same, within bool, why string) {
	if len(ref) != len(o.Data) {
		return false, false, fmt.Sprintf("%d bytes; TFLite-wasm gave %d", len(o.Data), len(ref))
	}
	if bytes.Equal(ref, o.Data) {
		return true, true, ""
	}
	worst, at := 0.0, -1
	n := o.NumElements()
	for i := range n {
		var d float64
		switch o.Type {
		case infer.Float32:
			a := float64(math.Float32frombits(binary.LittleEndian.Uint32(o.Data[4*i:])))
			b := float64(math.Float32frombits(binary.LittleEndian.Uint32(ref[4*i:])))
			d = math.Abs(a-b) / max(1, math.Abs(b)) / 1e-5
			if math.IsNaN(a) && math.IsNaN(b) {
				d = 0
			}
		case infer.UInt8:
			d = math.Abs(float64(o.Data[i]) - float64(ref[i]))
		case infer.Int8:
			d = math.Abs(float64(int8(o.Data[i])) - float64(int8(ref[i])))
		case infer.Int16:
			a := int16(binary.LittleEndian.Uint16(o.Data[2*i:]))
			b := int16(binary.LittleEndian.Uint16(ref[2*i:]))
			d = math.Abs(float64(a) - float64(b))
		default:
			size := len(o.Data) / max(n, 1)
			if !bytes.Equal(o.Data[i*size:(i+1)*size], ref[i*size:(i+1)*size]) {
				d = 2
			}
		}
		if d > worst {
			worst, at = d, i
		}
	}
	return false, worst <= 1, fmt.Sprintf("element %d differs by %.3g (steps, or units of 1e-5 relative)", at, worst)
}
