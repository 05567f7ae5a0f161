package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent/config"
)

func init() {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or show an agent configuration file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Print OK, or every problem in the file (exit status 1)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := config.Load(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "OK %s (config hash %s)\n", args[0], c.Hash())
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
