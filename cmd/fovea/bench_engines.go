package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

func init() {
	var models, engines, threadList string
	var runs, warmup, rounds int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench-engines --models A,B [--engines go,tflite_c] [--threads 1,2] [--rounds 3] [--runs 20]",
		Short: "Time the same models in several inference engines in one run and print the ratios",
		Long: `bench-engines times each model in each engine (default: go and tflite_c,
the TensorFlow Lite C library with XNNPACK, in builds with the tflite_c
tag; make bench-native) at each thread count. Every round times every
engine once per (model, threads), alternating which goes first, so a
machine that speeds up or slows down affects all alike; a figure is the
median over the rounds of each round's median wall time per Invoke. The
last column is the first engine's time over each other engine's.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ts []int
			for _, s := range splitList(threadList) {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return fmt.Errorf("bench-engines --threads: %q is not a thread count", s)
				}
				ts = append(ts, n)
			}
			es := splitList(engines)
			if len(slices.Compact(slices.Sorted(slices.Values(es)))) != len(es) {
				return fmt.Errorf("bench-engines --engines: %q names an engine twice", engines)
			}
			if len(es) < 2 {
				return fmt.Errorf("bench-engines --engines: give at least two engines (registered: %s)", strings.Join(infer.Engines(), ", "))
			}
			ms := splitList(models)
			if len(ms) == 0 || len(ts) == 0 || rounds < 1 {
				return fmt.Errorf("bench-engines: give --models, --threads and --rounds ≥ 1")
			}
			rows, err := benchEngines(cmd.Context(), ms, es, ts, runs, warmup, rounds)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(rows)
			}
			printEngineRows(cmd.OutOrStdout(), es, rows, runs, rounds)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&models, "models", "", "comma-separated .tflite files (required)")
	f.StringVar(&engines, "engines", "go,tflite_c", "comma-separated engines; the first is compared with the others")
	f.StringVar(&threadList, "threads", "1,2", "comma-separated thread counts")
	f.IntVar(&runs, "runs", 20, "timed Invokes per engine and round")
	f.IntVar(&warmup, "warmup", 5, "untimed Invokes first")
	f.IntVar(&rounds, "rounds", 3, "rounds; each times every engine once")
	f.BoolVar(&asJSON, "json", false, "print the rows as JSON")
	rootCmd.AddCommand(cmd)
}

// engineRow is one model and thread count: each engine's median ms per
// Invoke and what ran it.
type engineRow struct {
	Model   string             `json:"model"`
	Threads int                `json:"threads"`
	MS      map[string]float64 `json:"ms"`
	Backend map[string]string  `json:"backend"`
}

func benchEngines(ctx context.Context, models, engines []string, threads []int, runs, warmup, rounds int) ([]engineRow, error) {
	// One task per row (model × threads): its models by engine, and each
	// engine's round medians.
	type task struct {
		path    string
		threads int
		models  map[string]infer.Model
		samples map[string][]float64
	}
	var rows []engineRow
	var tasks []task
	for _, path := range models {
		loaded := map[string]infer.Model{}
		for _, e := range engines {
			m, err := infer.Open(path, infer.LoadOptions{Engine: e})
			if err != nil {
				return nil, fmt.Errorf("bench-engines: %w", err)
			}
			loaded[e] = m
		}
		for _, t := range threads {
			row := engineRow{Model: loaded[engines[0]].Info().Name, Threads: t, MS: map[string]float64{}, Backend: map[string]string{}}
			for _, e := range engines {
				row.Backend[e] = backendOf(loaded[e], t)
			}
			rows = append(rows, row)
			tasks = append(tasks, task{path: path, threads: t, models: loaded, samples: map[string][]float64{}})
		}
	}
	for r := range rounds {
		for _, tk := range tasks {
			order := slices.Clone(engines)
			if r%2 == 1 {
				slices.Reverse(order)
			}
			for _, e := range order {
				res, err := tflite.Bench(ctx, tk.models[e], tk.threads, runs, warmup)
				if err != nil {
					return nil, fmt.Errorf("bench-engines %s %s: %w", tk.path, e, err)
				}
				tk.samples[e] = append(tk.samples[e], float64(res.Median)/float64(time.Millisecond))
			}
		}
	}
	for i, tk := range tasks {
		for e, v := range tk.samples {
			slices.Sort(v)
			rows[i].MS[e] = v[len(v)/2]
		}
	}
	return rows, nil
}

// backendOf names what runs model m with t threads: the Go kernel path,
// or what the engine's interpreter reports (tflite_c: xnnpack or builtin).
func backendOf(m infer.Model, t int) string {
	if _, ok := m.(*tflite.Model); ok {
		return kernels.Active().String()
	}
	it, err := m.NewInterpreter(infer.InterpreterOptions{Threads: t})
	if err != nil {
		return "?"
	}
	defer it.Close()
	if b, ok := it.(interface{ Backend() string }); ok {
		return b.Backend()
	}
	return ""
}

func printEngineRows(w io.Writer, engines []string, rows []engineRow, runs, rounds int) {
	fmt.Fprintf(w, "%d timed Invokes × %d rounds, median of the round medians, ms per Invoke (wall)\n", runs, rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := append([]string{"model", "threads"}, engines...)
	for _, e := range engines[1:] {
		head = append(head, engines[0]+"/"+e)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		cols := []string{r.Model, strconv.Itoa(r.Threads)}
		for _, e := range engines {
			c := fmt.Sprintf("%.2f", r.MS[e])
			if b := r.Backend[e]; b != "" {
				c += " (" + b + ")"
			}
			cols = append(cols, c)
		}
		for _, e := range engines[1:] {
			cols = append(cols, fmt.Sprintf("%.2f", r.MS[engines[0]]/r.MS[e]))
		}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	tw.Flush()
}
