package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/agent"
	"github.com/fovea-edge/fovea/agent/config"
)

func init() {
	var (
		cfgPath, dataDir, listen string
		print, asJSON            bool
		frames                   uint64
	)
	cmd := &cobra.Command{
		Use:   "run --config FILE",
		Short: "Run the agent: capture, classify, store results durably, serve status",
		Long: `Run starts the agent described by the configuration file and runs it until
SIGINT or SIGTERM (then it shuts down cleanly: every result produced so far
is committed to the outbox), until every camera has ended (a folder read
once), or until --frames results are stored. At the end it prints a summary
line: results, accuracy when the frames had truth labels, frames dropped
and skipped, errors, duration and results per second.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			if dataDir != "" {
				cfg.DataDir = dataDir
			}
			if listen != "" {
				cfg.HTTP.Listen = listen
			}
			opts := agent.Options{Logger: agent.NewLogger(cfg.Log, os.Stderr), MaxResults: frames}
			switch {
			case asJSON:
				opts.OnResult = agent.PrintJSON(cmd.OutOrStdout())
			case print:
				opts.OnResult = agent.PrintResults(cmd.OutOrStdout())
			}
			a, err := agent.New(cfg, opts)
			if err != nil {
				return err
			}
			start := time.Now()
			err = a.Run(cmd.Context())
			// The summary goes with the results on stdout for --print;
			// otherwise to stderr, beside the logs, so that --json output
			// stays one JSON object per line.
			sum := cmd.ErrOrStderr()
			if print && !asJSON {
				sum = cmd.OutOrStdout()
			}
			fmt.Fprintln(sum, a.Summary(time.Since(start)))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&cfgPath, "config", "c", "/etc/fovea/fovea.yaml", "configuration file")
	f.StringVar(&dataDir, "data", "", "override data_dir (the outbox's directory)")
	f.StringVar(&listen, "listen", "", `override http.listen (host:port, or "off")`)
	f.BoolVar(&print, "print", false, "print every result on stdout, with truth and running accuracy when known")
	f.BoolVar(&asJSON, "json", false, "print every result on stdout as a JSON line (the record plus outbox_seq), once it is durable")
	f.Uint64Var(&frames, "frames", 0, "stop after this many results (0 = run until stopped)")
	rootCmd.AddCommand(cmd)
}
