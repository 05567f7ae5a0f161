package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/infer"
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
			return nil
		},
	})
}
