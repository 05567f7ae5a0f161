package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
	"github.com/fovea-edge/fovea/monitor/eval"
	"github.com/fovea-edge/fovea/monitor/eval/evaldata"
	"github.com/fovea-edge/fovea/monitor/eval/progress"
)

func init() {
	var (
		modelPath, baselinePath, labelsPath, baselineLabels, engine string
		htmlPath, jsonPath                                          string
		data                                                        []string
		limit, threads                                              int
		quiet                                                       bool
	)
	cmd := &cobra.Command{
		Use:   "eval --model M [--baseline M2] [--labels L] --data SET [--html out.html] [--json out.json]",
		Short: "Measure a model on a labelled data set (accuracy, per-class, calibration, slices, latency)",
		Long: `Eval classifies every image of a labelled data set, exactly as fovea
classify does, and reports top-1/top-5 accuracy with 95 % confidence
intervals, per-class precision/recall/F1, the most frequent confusions,
calibration (ECE, reliability diagram), accuracy per slice and the latency
distribution. With --baseline it runs a second model on the same images
and compares them with McNemar's test.

SET is a folder with one subfolder of images per class (named by its
label), a folder with a ground_truth.tsv, or a synthetic: URI such as
"synthetic:seed=1&count=2000&drift=blur&drift_at=1001". --data may be
given more than once; each set is then a "source" slice.

A short table goes to stdout, a progress bar to stderr; --json writes the
machine-readable report (docs/eval.md), --html a self-contained page with
plots.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(data) == 0 {
				return errors.New("eval: --data is required: a folder of class subfolders, a folder with ground_truth.tsv, or a synthetic: URI")
			}
			mopts := evaldata.ModelOptions{Labels: labelsPath, Engine: engine, Threads: threads}
			models := make([]*evaldata.Model, 0, 2)
			defer func() {
				for _, m := range models {
					m.Close()
				}
			}()
			m, err := evaldata.LoadModel(modelPath, mopts)
			if err != nil {
				return err
			}
			models = append(models, m)
			if baselinePath != "" {
				mopts.Labels = baselineLabels
				if mopts.Labels == "" {
					mopts.Labels = labelsPath
				}
				b, err := evaldata.LoadModel(baselinePath, mopts)
				if err != nil {
					return err
				}
				models = append(models, b)
			}
			return runEval(cmd, data, models, limit, htmlPath, jsonPath, quiet)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "path of the .tflite model to evaluate (required)")
	f.StringVar(&baselinePath, "baseline", "", "second model to compare against on the same images")
	f.StringVar(&labelsPath, "labels", "", "labels file of --model (default: labels embedded in the model)")
	f.StringVar(&baselineLabels, "baseline-labels", "", "labels file of --baseline (default: --labels, else embedded)")
	f.StringVar(&engine, "engine", "", "inference engine (default \"go\", the pure-Go interpreter)")
	f.StringArrayVar(&data, "data", nil, "data set: class-subfolder folder, folder with ground_truth.tsv, or synthetic: URI (repeatable)")
	f.StringVar(&htmlPath, "html", "", "write the HTML report with plots to this file")
	f.StringVar(&jsonPath, "json", "", "write the JSON report to this file (\"-\" = stdout instead of the table)")
	f.IntVar(&limit, "limit", 0, "evaluate at most N images (0 = all)")
	f.IntVar(&threads, "threads", 1, "interpreter worker count")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}

// runEval reads the sets, runs the models and writes the reports.
func runEval(cmd *cobra.Command, specs []string, models []*evaldata.Model, limit int, htmlPath, jsonPath string, quiet bool) error {
	sets := make([]evaldata.Set, 0, len(specs))
	defer func() {
		for _, s := range sets {
			s.Close()
		}
	}()
	total := 0
	for _, spec := range specs {
		s, err := evaldata.Open(spec, limit)
		if err != nil {
			return err
		}
		sets = append(sets, s)
		total += s.Len()
	}
	opts := evaldata.RunOptions{Limit: limit}
	var bar *progress.Bar
	if !quiet {
		errOut := cmd.ErrOrStderr()
		tty := false
		if f, ok := errOut.(*os.File); ok {
			if fi, err := f.Stat(); err == nil {
				tty = fi.Mode()&os.ModeCharDevice != 0
			}
		}
		if limit > 0 {
			total = min(total, limit)
		}
		bar = progress.New(errOut, "eval", total, tty, nil)
		opts.Progress = func(done, _ int) { bar.Set(done) }
	}
	started := time.Now().UTC()
	runs, info, err := evaldata.Run(cmd.Context(), sets, models, opts)
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	var base *eval.Run
	if len(runs) > 1 {
		base = &runs[1]
	}
	rep := eval.NewReport(info, runs[0], base)
	rep.Created = started.Format(time.RFC3339)
	if jsonPath != "" {
		var buf bytes.Buffer
		if err := rep.WriteJSON(&buf); err != nil {
			return err
		}
		if err := writeOut(cmd, jsonPath, buf.Bytes()); err != nil {
			return err
		}
	}
	if htmlPath != "" {
		var buf bytes.Buffer
		if err := rep.WriteHTML(&buf, eval.HTMLOptions{}); err != nil {
			return err
		}
		if err := writeOut(cmd, htmlPath, buf.Bytes()); err != nil {
			return err
		}
	}
	if jsonPath == "-" {
		return nil
	}
	return rep.WriteText(cmd.OutOrStdout())
}

// writeOut writes a report to path (atomically: a gate never reads half a
// report), or to stdout for "-".
func writeOut(cmd *cobra.Command, path string, b []byte) error {
	if path == "-" {
		_, err := cmd.OutOrStdout().Write(b)
		return err
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("eval: write report: %w", err)
	}
	return nil
}
