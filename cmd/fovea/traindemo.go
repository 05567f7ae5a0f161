package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/internal/demo/train"
)

func init() {
	var out string
	var seed uint64
	var steps int
	cmd := &cobra.Command{
		Use:   "train-demo --out PATH [--seed N] [--steps N]",
		Short: "Train, int8-quantize and export the shapes demo model for the synthetic: camera (deterministic with the seed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("train-demo: --out PATH is required (e.g. --out testdata/models/shapes.tflite)")
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			data, rep, err := train.BuildModel(cmd.Context(), train.Config{Seed: seed, Steps: steps, Log: log})
			if err != nil {
				return err
			}
			if err := train.WriteFile(out, data); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s\n", out, rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "where to write the .tflite model")
	cmd.Flags().Uint64Var(&seed, "seed", train.DemoSeed, "random seed (same seed, same model)")
	cmd.Flags().IntVar(&steps, "steps", 0, "optimiser steps (0 = the demo recipe's default)")
	rootCmd.AddCommand(cmd)
}
