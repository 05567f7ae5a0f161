package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
)

func init() {
	var (
		modelPath, labelsPath, engine string
		top, threads                  int
		asJSON                        bool
	)
	cmd := &cobra.Command{
		Use:   "classify --model M [--labels L] [--top K] [--json] IMAGE...",
		Short: "Classify image files (JPEG, PNG, BMP) and print the best labels",
		Long: `Classify prints one line per image: path<TAB>label<TAB>score for the best
label, or the K best with --top K (one line each). With --json it prints
one JSON object per image. An image that cannot be read is reported on
stderr and the others are still classified; the exit status is then 1.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := infer.Open(modelPath, infer.LoadOptions{Engine: engine})
			if err != nil {
				return err
			}
			opts := infer.ClassifierOptions{Threads: threads}
			if labelsPath != "" {
				if opts.Labels, err = infer.ReadLabels(labelsPath); err != nil {
					return err
				}
			}
			c, err := infer.NewClassifier(m, opts)
			if err != nil {
				return err
			}
			defer c.Close()
			return classifyFiles(cmd, c, args, top, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "path of the .tflite model (required)")
	f.StringVar(&labelsPath, "labels", "", "labels file, one label per line (default: labels embedded in the model)")
	f.StringVar(&engine, "engine", "", "inference engine (default \"go\", the pure-Go interpreter)")
	f.IntVar(&top, "top", 1, "number of labels to print per image")
	f.IntVar(&threads, "threads", 1, "interpreter worker count")
	f.BoolVar(&asJSON, "json", false, "print one JSON object per image")
	_ = cmd.MarkFlagRequired("model")
	rootCmd.AddCommand(cmd)
}

type classifyLine struct {
	Path  string        `json:"path"`
	Top   []infer.Class `json:"top"`
	Error string        `json:"error,omitempty"`
}

func classifyFiles(cmd *cobra.Command, c *infer.Classifier, paths []string, top int, asJSON bool) error {
	out, errOut := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var failed int
	for _, path := range paths {
		img, err := imgio.DecodeFile(path)
		var pred infer.Prediction
		if err == nil {
			pred, err = c.Classify(cmd.Context(), img, top)
		}
		if err != nil {
			failed++
			fmt.Fprintf(errOut, "fovea classify: %v\n", err)
			if asJSON {
				writeJSONLine(out, classifyLine{Path: path, Error: err.Error()})
			}
			continue
		}
		if asJSON {
			writeJSONLine(out, classifyLine{Path: path, Top: pred.Top})
			continue
		}
		for _, cl := range pred.Top {
			fmt.Fprintf(out, "%s\t%s\t%.6f\n", path, cl.Label, cl.Score)
		}
	}
	if failed > 0 {
		return fmt.Errorf("classify: %d of %d images could not be classified", failed, len(paths))
	}
	return nil
}

// writeJSONLine prints v (plain structs, which always marshal) as one line.
func writeJSONLine(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(w, "%s\n", b)
}
