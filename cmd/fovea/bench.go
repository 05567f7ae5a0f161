package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

func init() {
	var modelPath, engine, kernelPath string
	var threads, runs, warmup int
	var perOp, asJSON bool
	cmd := &cobra.Command{
		Use:   "bench --model M [--threads N] [--runs R] [--warmup W] [--kernels P] [--json]",
		Short: "Time repeated Invokes of a model: median/p90/p99 ms and allocations per run",
		Long: `Time repeated Invokes of a model: median/p90/p99 ms and allocations per run.

With --json it prints one JSON object instead of the result line (for
scripts such as make bench-compare): model, kernels (the path used),
available (the paths this CPU runs), threads, runs, median_ms, p90_ms,
p99_ms, min_ms, allocs_per_run, bytes_per_run.`,
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
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			if asJSON {
				if perOp {
					return fmt.Errorf("bench: --json and --per-op cannot be combined; run them separately")
				}
				return writeBenchJSON(cmd, m.Info().Name, threads, r)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s kernels=%s threads=%d runs=%d: median %.2f ms, p90 %.2f ms, p99 %.2f ms, min %.2f ms; %.1f allocs/run, %.0f B/run\n",
				m.Info().Name, kernels.Active(), threads, r.Runs, ms(r.Median), ms(r.P90), ms(r.P99), ms(r.Min), r.AllocsPerRun, r.BytesPerRun)
			if err != nil || !perOp {
				return err
			}
			gm, ok := m.(*tflite.Model)
			if !ok {
				return fmt.Errorf("bench --per-op: only the go engine reports per-operator times")
			}
			ops, err := tflite.BenchOps(cmd.Context(), gm, threads, runs)
			if err != nil {
				return err
			}
			var total time.Duration
			for _, o := range ops {
				total += o.Time
			}
			for _, o := range ops {
				rate := ""
				if g := o.GMACs(); g > 0 {
					rate = fmt.Sprintf("  %7.1f GMAC/s", g)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "  %-20s ×%-3d %8.2f ms  %5.1f%%%s\n", o.Op, o.Count, ms(o.Time), 100*float64(o.Time)/float64(max(total, 1)), rate)
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
	f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}

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
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	v := benchJSON{
		Model: name, Kernels: kernels.Active().String(), Threads: threads, Runs: r.Runs,
		MedianMS: ms(r.Median), P90MS: ms(r.P90), P99MS: ms(r.P99), MinMS: ms(r.Min),
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
