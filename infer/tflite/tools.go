package tflite

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/infer"
)

// WriteInfo prints a model summary for `fovea model inspect`: inputs and
// outputs with quantization, operator counts, MACs, arena bytes and the
// embedded labels.
func WriteInfo(w io.Writer, info infer.ModelInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "model:   %s\n", info.Name)
	if info.Version != "" {
		fmt.Fprintf(&b, "version: %s\n", info.Version)
	}
	if info.Description != "" {
		fmt.Fprintf(&b, "about:   %s\n", firstLine(info.Description))
	}
	fmt.Fprintf(&b, "sha256:  %s\n", info.SHA256)
	for _, io := range []struct {
		what string
		ts   []infer.TensorInfo
	}{{"input", info.Inputs}, {"output", info.Outputs}} {
		for i, t := range io.ts {
			fmt.Fprintf(&b, "%s %d: %s%s %q%s (%d bytes)\n", io.what, i, t.Type, shapeString(t.Shape), t.Name, quantString(t.Quant), t.ByteSize())
		}
	}
	fmt.Fprintf(&b, "ops:\n")
	total := 0
	for _, oc := range info.Ops {
		fmt.Fprintf(&b, "  %-20s %d\n", oc.Op, oc.Count)
		total += oc.Count
	}
	fmt.Fprintf(&b, "  %-20s %d\n", "total", total)
	fmt.Fprintf(&b, "MACs:    %d (%.1f M)\n", info.MACs, float64(info.MACs)/1e6)
	fmt.Fprintf(&b, "arena:   %d bytes (%.2f MiB)\n", info.ArenaBytes, float64(info.ArenaBytes)/(1<<20))
	if len(info.Mean) > 0 {
		fmt.Fprintf(&b, "normalization: mean %v std %v\n", info.Mean, info.Std)
	}
	if len(info.Labels) == 0 {
		fmt.Fprintf(&b, "labels:  none embedded\n")
	} else {
		n := min(5, len(info.Labels))
		fmt.Fprintf(&b, "labels:  %d embedded: %s", len(info.Labels), strings.Join(info.Labels[:n], " | "))
		if n < len(info.Labels) {
			fmt.Fprintf(&b, " | …")
		}
		fmt.Fprintln(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func quantString(q infer.Quant) string {
	switch n := len(q.Scale); {
	case n == 0:
		return ""
	case n == 1:
		zp := int64(0)
		if len(q.ZeroPoint) > 0 {
			zp = q.ZeroPoint[0]
		}
		return fmt.Sprintf(" scale=%.9g zero_point=%d", q.Scale[0], zp)
	default:
		return fmt.Sprintf(" per-channel (%d scales, axis %d)", n, q.Axis)
	}
}

// RunRaw feeds raw bytes to input tensor 0, invokes once, and returns a
// copy of output tensor 0's bytes (`fovea model run`). A wrong input size
// is an error stating the expected size and shape.
func RunRaw(ctx context.Context, m infer.Model, in []byte, threads int) ([]byte, error) {
	it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		return nil, fmt.Errorf("tflite.RunRaw: %w", err)
	}
	defer closeInterpreter(it)
	if len(it.Inputs()) == 0 || len(it.Outputs()) == 0 {
		return nil, fmt.Errorf("tflite.RunRaw: model has no input or no output tensor")
	}
	t := it.Inputs()[0]
	if len(in) != len(t.Data) {
		return nil, fmt.Errorf("tflite.RunRaw: input is %d bytes, but input tensor 0 (%q) is %s%s = %d bytes", len(in), t.Name, t.Type, shapeString(t.Shape), len(t.Data))
	}
	copy(t.Data, in)
	if err := it.Invoke(ctx); err != nil {
		return nil, fmt.Errorf("tflite.RunRaw: %w", err)
	}
	return slices.Clone(it.Outputs()[0].Data), nil
}

func closeInterpreter(it infer.Interpreter) {
	if c, ok := it.(io.Closer); ok {
		c.Close()
	}
}

// BenchResult summarises repeated Invokes.
type BenchResult struct {
	Runs                      int
	Median, P90, P99, Min     time.Duration
	AllocsPerRun, BytesPerRun float64
	// PerOp is the mean time per operator type over a separate set of
	// profiled runs (only from BenchOps), largest first.
	PerOp []OpTime
}

// OpTime is the time one operator type takes per Invoke.
type OpTime struct {
	Op    string
	Count int
	Time  time.Duration
	// MACs are the multiply-accumulates of these operators per Invoke,
	// from their shapes, as counted for infer.ModelInfo.MACs: CONV_2D
	// outPixels·outC·KH·KW·InC, DEPTHWISE_CONV_2D outPixels·C·KH·KW,
	// FULLY_CONNECTED batch·out·in; element-wise operators count one per
	// output element, layout operators none.
	MACs int64
}

// GMACs returns the rate o achieves in 10^9 MACs per second, or 0.
func (o OpTime) GMACs() float64 { return gmacs(o.MACs, o.Time) }

// LayerTime is the time one operator of the model takes per Invoke.
type LayerTime struct {
	Index int    // position in the execution plan
	Op    string // operator type
	// Shapes of input 0, input 1 (a filter, weights or second operand;
	// nil when absent) and output 0.
	In, Weights, Out []int
	Time             time.Duration
	MACs             int64 // as OpTime.MACs
}

// GMACs returns the rate l achieves in 10^9 MACs per second, or 0.
func (l LayerTime) GMACs() float64 { return gmacs(l.MACs, l.Time) }

func gmacs(macs int64, d time.Duration) float64 {
	if macs == 0 || d <= 0 {
		return 0
	}
	return float64(macs) / d.Seconds() / 1e9
}

// BenchLayers times each operator of a Go-engine model over runs profiled
// Invokes, in plan order.
func BenchLayers(ctx context.Context, m *Model, threads, runs int) ([]LayerTime, error) {
	it, err := m.NewGoInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		return nil, fmt.Errorf("tflite.BenchLayers: %w", err)
	}
	defer it.Close()
	runs = max(runs, 1)
	per := make([]time.Duration, len(m.ops))
	for range runs {
		if err := it.InvokeProfiled(ctx, per); err != nil {
			return nil, fmt.Errorf("tflite.BenchLayers: %w", err)
		}
	}
	shape := func(ts []int, i int) []int {
		if i >= len(ts) || ts[i] < 0 {
			return nil
		}
		return slices.Clone(m.tensors[ts[i]].shape)
	}
	out := make([]LayerTime, len(m.ops))
	for i, op := range m.ops {
		out[i] = LayerTime{
			Index: i, Op: op.name,
			In: shape(op.inputs, 0), Weights: shape(op.inputs, 1), Out: shape(op.outputs, 0),
			Time: per[i] / time.Duration(runs), MACs: op.macs,
		}
	}
	return out, nil
}

// BenchOps times each operator type of a Go-engine model over runs
// profiled Invokes: BenchLayers summed by type, largest first.
func BenchOps(ctx context.Context, m *Model, threads, runs int) ([]OpTime, error) {
	layers, err := BenchLayers(ctx, m, threads, runs)
	if err != nil {
		return nil, fmt.Errorf("tflite.BenchOps: %w", err)
	}
	return ByOpType(layers), nil
}

// ByOpType sums per-operator times by operator type, largest first.
func ByOpType(layers []LayerTime) []OpTime {
	idx := map[string]int{}
	var out []OpTime
	for _, l := range layers {
		j, ok := idx[l.Op]
		if !ok {
			j = len(out)
			idx[l.Op] = j
			out = append(out, OpTime{Op: l.Op})
		}
		out[j].Count++
		out[j].Time += l.Time
		out[j].MACs += l.MACs
	}
	slices.SortFunc(out, func(a, b OpTime) int { return cmp.Compare(b.Time, a.Time) })
	return out
}

// Bench invokes the model warmup times, then runs times, timing each Invoke
// (`fovea bench`). The input is left as zeros.
func Bench(ctx context.Context, m infer.Model, threads, runs, warmup int) (BenchResult, error) {
	if runs < 1 {
		return BenchResult{}, fmt.Errorf("tflite.Bench: runs = %d; want at least 1", runs)
	}
	it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: threads})
	if err != nil {
		return BenchResult{}, fmt.Errorf("tflite.Bench: %w", err)
	}
	defer closeInterpreter(it)
	for range max(warmup, 1) {
		if err := it.Invoke(ctx); err != nil {
			return BenchResult{}, fmt.Errorf("tflite.Bench: %w", err)
		}
	}
	times := make([]time.Duration, runs)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range times {
		start := time.Now()
		if err := it.Invoke(ctx); err != nil {
			return BenchResult{}, fmt.Errorf("tflite.Bench: %w", err)
		}
		times[i] = time.Since(start)
	}
	runtime.ReadMemStats(&after)
	slices.Sort(times)
	pct := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	return BenchResult{
		Runs: runs, Median: pct(0.5), P90: pct(0.9), P99: pct(0.99), Min: times[0],
		AllocsPerRun: float64(after.Mallocs-before.Mallocs) / float64(runs),
		BytesPerRun:  float64(after.TotalAlloc-before.TotalAlloc) / float64(runs),
	}, nil
}
