package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/infer/tflite/kernels"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version, inference engines and camera schemes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "fovea %s\n", agent.Version)
			fmt.Fprintf(w, "commit:   %s\n", agent.Commit())
			fmt.Fprintf(w, "go:       %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "engines:  %s\n", strings.Join(infer.Engines(), ", "))
			fmt.Fprintf(w, "cameras:  %s\n", cameraBackends())
			fmt.Fprintf(w, "kernels:  %s\n", kernelsLine())
			return nil
		},
	})
}

// kernelsLine describes the quantized kernel path of the go engine: the
// active one, how it was chosen, and what this CPU offers.
func kernelsLine() string {
	var avail []string
	for _, p := range kernels.Available() {
		avail = append(avail, p.String())
	}
	how := "auto"
	if kernels.Forced() {
		how = "forced by $" + kernels.EnvKernels
	}
	s := fmt.Sprintf("%s (%s; available: %s)", kernels.Active(), how, strings.Join(avail, ", "))
	if err := kernels.EnvError(); err != nil {
		s += "; error: " + err.Error()
	}
	return s
}
