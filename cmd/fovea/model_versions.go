package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
)

// The installed-version commands join `fovea model` (model.go, whose init
// runs first: files initialise in name order).
func init() {
	var modelCmd *cobra.Command
	for _, c := range rootCmd.Commands() {
		if c.Name() == "model" {
			modelCmd = c
		}
	}
	if modelCmd == nil {
		panic("model_versions.go: the model command is not registered")
	}
	var cfgPath, dataDir string
	var force bool
	open := func() (*store.Store, string, error) {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return nil, "", err
		}
		if cfg.OTA == nil {
			return nil, "", errors.New("the configuration has no ota section: no installed model versions")
		}
		if dataDir != "" {
			cfg.DataDir = dataDir
		}
		trust, err := sign.LoadTrust(cfg.OTA.TrustedKeys)
		if err != nil {
			return nil, "", err
		}
		s, err := store.Open(cfg.DataDir, trust, bundle.Limits{}, nil)
		return s, cfg.DataDir, err
	}
	// idle refuses to move the pointers under an update in progress.
	idle := func(data string) error {
		st, err := ota.ReadStatus(filepath.Join(data, agent.OTADir))
		if err != nil {
			return err
		}
		if st.State.Busy() && !force {
			return fmt.Errorf("an update of %s is in progress (state %s); wait for it, use the model/rollback MQTT command, or pass --force", st.Version, st.State)
		}
		return nil
	}
	const restartNote = "takes effect when the agent starts; a running agent switches at once with the MQTT commands model/activate and model/rollback"

	list := &cobra.Command{
		Use:   "list --config FILE [--data DIR]",
		Short: "List the installed model versions (verified: signature and hashes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, data, err := open()
			if err != nil {
				return err
			}
			vs, err := s.List()
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VERSION\tNAME\tSHA256\tCREATED\tKEY\t")
			active := false
			for _, v := range vs {
				mark := ""
				switch {
				case v.Active:
					mark, active = "active", true
				case v.Previous:
					mark = "previous"
				}
				fmt.Fprintf(w, "%s\t%s\t%.16s\t%s\t%s\t%s\n", v.Version, v.Manifest.Name, v.SHA256(), v.Manifest.Created.Format("2006-01-02"), v.Manifest.KeyID, mark)
			}
			w.Flush()
			if !active {
				fmt.Fprintln(cmd.OutOrStdout(), "active: the configured model.path")
			}
			if st, err := ota.ReadStatus(filepath.Join(data, agent.OTADir)); err == nil && st.State != ota.Idle {
				fmt.Fprintf(cmd.OutOrStdout(), "last update: %s %s: %s\n", st.State, st.Version, st.Reason)
			}
			return nil
		},
	}
	activate := &cobra.Command{
		Use:   "activate VERSION --config FILE [--data DIR]",
		Short: "Make an installed version the one the agent starts with",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, data, err := open()
			if err != nil {
				return err
			}
			if err := idle(data); err != nil {
				return err
			}
			if err := s.SetActive(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "active: %s (%s)\n", args[0], restartNote)
			return nil
		},
	}
	rollback := &cobra.Command{
		Use:   "rollback --config FILE [--data DIR]",
		Short: "Return to the previous version (or the configured model)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, data, err := open()
			if err != nil {
				return err
			}
			if err := idle(data); err != nil {
				return err
			}
			a, p, err := s.Pointers()
			if err != nil {
				return err
			}
			if a == "" {
				return errors.New("the configured model is active: nothing to roll back")
			}
			if err := s.SetPointers(p, ""); err != nil {
				return err
			}
			to := p
			if to == "" {
				to = "the configured model.path"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "active: %s, was %s (%s)\n", to, a, restartNote)
			return nil
		},
	}
	for _, c := range []*cobra.Command{list, activate, rollback} {
		c.Flags().StringVar(&cfgPath, "config", "", "the agent's configuration (for data_dir and ota.trusted_keys; required)")
		c.Flags().StringVar(&dataDir, "data", "", "data directory (default: data_dir of the configuration)")
		_ = c.MarkFlagRequired("config")
	}
	for _, c := range []*cobra.Command{activate, rollback} {
		c.Flags().BoolVar(&force, "force", false, "change the active version even while an update is in progress")
	}
	modelCmd.AddCommand(list, activate, rollback)
}
