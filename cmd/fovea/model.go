package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite"
)

func init() {
	modelCmd := &cobra.Command{
		Use:   "model",
		Short: "Inspect and run TFLite models",
	}

	var engine string
	inspect := &cobra.Command{
		Use:   "inspect MODEL",
		Short: "Print a model's inputs, outputs, operators, MACs, arena size and labels",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := infer.Open(args[0], infer.LoadOptions{Engine: engine})
			if err != nil && errors.Is(err, infer.ErrUnsupported) && (engine == "" || engine == infer.DefaultEngine) {
				// Name every operator the model needs that Fovea cannot
				// run, not only the first.
				if data, rerr := os.ReadFile(args[0]); rerr == nil {
					if probs, perr := tflite.Unsupported(data); perr == nil && len(probs) > 0 {
						w := cmd.OutOrStdout()
						fmt.Fprintf(w, "%s: %d operator(s) Fovea cannot run:\n", args[0], len(probs))
						for _, p := range probs {
							fmt.Fprintf(w, "  %s\n", p)
						}
					}
				}
			}
			if err != nil {
				return err
			}
			return tflite.WriteInfo(cmd.OutOrStdout(), m.Info())
		},
	}
	inspect.Flags().StringVar(&engine, "engine", "", "inference engine (default \"go\")")

	var modelPath, inPath, outPath, runEngine string
	var threads int
	run := &cobra.Command{
		Use:   "run --model M --input IN.raw --output OUT.raw [--threads N]",
		Short: "Run a model once on the raw bytes of input tensor 0 and write output tensor 0's raw bytes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := infer.Open(modelPath, infer.LoadOptions{Engine: runEngine})
			if err != nil {
				return err
			}
			in, err := os.ReadFile(inPath)
			if err != nil {
				return err
			}
			out, err := tflite.RunRaw(cmd.Context(), m, in, threads)
			if err != nil {
				return err
			}
			return os.WriteFile(outPath, out, 0o644)
		},
	}
	f := run.Flags()
	f.StringVar(&modelPath, "model", "", "path of the .tflite model (required)")
	f.StringVar(&inPath, "input", "", "raw bytes of input tensor 0 (required)")
	f.StringVar(&outPath, "output", "", "file to write output tensor 0's raw bytes to (required)")
	f.IntVar(&threads, "threads", 1, "interpreter worker count")
	f.StringVar(&runEngine, "engine", "", "inference engine (default \"go\")")
	for _, name := range []string{"model", "input", "output"} {
		_ = run.MarkFlagRequired(name)
	}

	modelCmd.AddCommand(inspect, run)
	rootCmd.AddCommand(modelCmd)
}
