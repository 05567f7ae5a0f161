package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

func init() {
	var modelPath, engine, kernelPath string
	var threads, runs, warmup, layers int
	var perOp, asJSON bool
	cmd := &cobra.Command{
		Use:   "bench --model M [--threads N] [--runs R] [--warmup W] [--kernels P] [--per-op] [--layers N] [--json]",
		Short: "Time repeated Invokes of a model: median/p90/p99 ms and allocations per run",
		Long: `Time repeated Invokes of a model: median/p90/p99 ms and allocations per run.

With --json it prints one JSON object instead of the result line (for
scripts such as make bench-compare): model, kernels (the path used),
available (the paths this CPU runs), threads, runs, median_ms, p90_ms,
p99_ms, min_ms, allocs_per_run, bytes_per_run.

--per-op adds the time, share and GMAC/s of each operator type; --layers N
the N slowest operators, each with its plan index and the shapes of its
input, weights and output, to find the layers that bound a model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if kernelPath != "" {
				p, err := kernels.ParsePath(kernelPath)
				if err == nil {
					err = kernels.SetPath(p)
				}
				if err != nil {
					return fmt.Errorf("bench --kernels: %w", err)
				}
			}
			m, err := infer.Open(modelPath, infer.LoadOptions{Engine: engine})
			if err != nil {
				return err
			}
			r, err := tflite.Bench(cmd.Context(), m, threads, runs, warmup)
			if err != nil {
				return err
			}
			if asJSON {
				if perOp || layers > 0 {
					return fmt.Errorf("bench: --json cannot be combined with --per-op or --layers; run them separately")
				}
				return writeBenchJSON(cmd, m.Info().Name, threads, r)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s kernels=%s threads=%d runs=%d: median %.2f ms, p90 %.2f ms, p99 %.2f ms, min %.2f ms; %.1f allocs/run, %.0f B/run\n",
				m.Info().Name, kernels.Active(), threads, r.Runs, msOf(r.Median), msOf(r.P90), msOf(r.P99), msOf(r.Min), r.AllocsPerRun, r.BytesPerRun)
			if err != nil || (!perOp && layers <= 0) {
				return err
			}
			gm, ok := m.(*tflite.Model)
			if !ok {
				return fmt.Errorf("bench --per-op/--layers: only the go engine reports per-operator times")
			}
			per, err := tflite.BenchLayers(cmd.Context(), gm, threads, runs)
			if err != nil {
				return err
			}
			if perOp {
				printOpTypes(cmd.OutOrStdout(), per)
			}
			if layers > 0 {
				printSlowLayers(cmd.OutOrStdout(), per, layers)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "path of the .tflite model (required)")
	f.StringVar(&engine, "engine", "", "inference engine (default \"go\")")
	f.StringVar(&kernelPath, "kernels", "", "force a kernel path: generic, avx2, vnni (amd64), neon or dotprod (arm64) (default: the fastest this CPU runs, or $FOVEA_KERNELS)")
	f.IntVar(&threads, "threads", 1, "interpreter worker count")
	f.IntVar(&runs, "runs", 30, "timed runs")
	f.IntVar(&warmup, "warmup", 5, "untimed runs first")
	f.BoolVar(&perOp, "per-op", false, "also print the time per operator type and the GMAC/s of those with MACs (go engine)")
	f.IntVar(&layers, "layers", 0, "also print the N slowest operators with their shapes (go engine)")
	f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}

// printOpTypes prints the time, share and rate of each operator type,
// largest first.
func printOpTypes(w io.Writer, per []tflite.LayerTime) {
	ops := tflite.ByOpType(per)
	total := totalTime(per)
	for _, o := range ops {
		rate := ""
		if g := o.GMACs(); g > 0 {
			rate = fmt.Sprintf("  %7.1f GMAC/s", g)
		}
		fmt.Fprintf(w, "  %-20s ×%-3d %8.2f ms  %5.1f%%%s\n", o.Op, o.Count, msOf(o.Time), 100*float64(o.Time)/float64(total), rate)
	}
}

// printSlowLayers prints the n slowest operators, slowest first.
func printSlowLayers(w io.Writer, per []tflite.LayerTime, n int) {
	total := totalTime(per)
	slow := slices.Clone(per)
	slices.SortStableFunc(slow, func(a, b tflite.LayerTime) int { return cmp.Compare(b.Time, a.Time) })
	fmt.Fprintf(w, "slowest %d of %d operators:\n", min(n, len(slow)), len(slow))
	for _, l := range slow[:min(n, len(slow))] {
		rate := ""
		if g := l.GMACs(); g > 0 {
			rate = fmt.Sprintf("%7.1f GMAC/s", g)
		}
		shapes := fmt.Sprintf("in %v", l.In)
		if l.Weights != nil {
			shapes += fmt.Sprintf(" weights %v", l.Weights)
		}
		shapes += fmt.Sprintf(" out %v", l.Out)
		fmt.Fprintf(w, "  #%-3d %-20s %8.3f ms  %5.1f%%  %14s  %s\n", l.Index, l.Op, msOf(l.Time), 100*float64(l.Time)/float64(total), rate, shapes)
	}
}

func totalTime(per []tflite.LayerTime) time.Duration {
	var total time.Duration
	for _, l := range per {
		total += l.Time
	}
	return max(total, 1)
}

func msOf(d time.Duration) float64 { return float64(d) / 1e6 }

// benchJSON is the object `fovea bench --json` prints.
type benchJSON struct {
	Model        string   `json:"model"`
	Kernels      string   `json:"kernels"`
	Available    []string `json:"available"`
	Threads      int      `json:"threads"`
	Runs         int      `json:"runs"`
	MedianMS     float64  `json:"median_ms"`
	P90MS        float64  `json:"p90_ms"`
	P99MS        float64  `json:"p99_ms"`
	MinMS        float64  `json:"min_ms"`
	AllocsPerRun float64  `json:"allocs_per_run"`
	BytesPerRun  float64  `json:"bytes_per_run"`
}

func writeBenchJSON(cmd *cobra.Command, name string, threads int, r tflite.BenchResult) error {
	v := benchJSON{
		Model: name, Kernels: kernels.Active().String(), Threads: threads, Runs: r.Runs,
		MedianMS: msOf(r.Median), P90MS: msOf(r.P90), P99MS: msOf(r.P99), MinMS: msOf(r.Min),
		AllocsPerRun: r.AllocsPerRun, BytesPerRun: r.BytesPerRun,
	}
	for _, p := range kernels.Available() {
		v.Available = append(v.Available, p.String())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bench --json: %w", err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
	return err
}
