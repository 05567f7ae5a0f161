package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/camera"
)

// cameraBackends lists the camera schemes compiled in, and those that
// are not ("dir, mjpeg, synthetic; not included: opencv").
func cameraBackends() string {
	s := strings.Join(camera.Schemes(), ", ")
	if off := camera.Unavailable(); len(off) > 0 {
		s += "; not included: " + strings.Join(off, ", ") + " (use the OpenCV build of fovea: make build)"
	}
	return s
}

func init() {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or show an agent configuration file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Check the file, its model and camera URIs; print OK or every problem (exit status 1)",
		Long: `check reads the file strictly, validates every value, loads the model (it
must classify images, with one label per output) and checks each camera URI
as far as possible without opening the device or stream: its scheme must be
compiled into this binary, dir: folders must hold images, synthetic:
parameters must parse. It prints the camera backends this binary has.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "camera backends in this build: %s\n", cameraBackends())
			c, err := config.Load(args[0])
			if err != nil {
				return err
			}
			info, err := agent.Check(c)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			in := "?"
			if len(info.Inputs) > 0 {
				in = fmt.Sprintf("%v %v", info.Inputs[0].Shape, info.Inputs[0].Type)
			}
			fmt.Fprintf(w, "model %s: %s, input %s\n", c.Model.Path, info.Name, in)
			fmt.Fprintf(w, "OK %s (config hash %s)\n", args[0], c.Hash())
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show FILE",
		Short: "Print the configuration with every default filled in",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := config.Load(args[0])
			if err != nil {
				return err
			}
			out, err := c.Show()
			if err != nil {
				return fmt.Errorf("config show: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "# %s, defaults applied; config hash %s\n%s", args[0], c.Hash(), out)
			return nil
		},
	})
	rootCmd.AddCommand(cmd)
}
