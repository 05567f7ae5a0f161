package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/sync/outbox"
)

func init() {
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "Inspect the durable result outbox (DIR/outbox.db)",
		Long: `The outbox holds every classification result until the MQTT syncer has
delivered it. These commands open it read-only; while the agent runs it
holds the file's lock and they fail with "outbox is in use by another
process": stop the agent first, or use its /api/status.`,
	}
	cmd.AddCommand(outboxStatsCmd(), outboxDumpCmd())
	rootCmd.AddCommand(cmd)
}

// openOutboxIn opens DIR/outbox.db read-only.
func openOutboxIn(dir string) (*outbox.Outbox, error) {
	return outbox.OpenReadOnly(filepath.Join(dir, outbox.FileName), outbox.Options{})
}

func outboxStatsCmd() *cobra.Command {
	var (
		dir    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "stats --data DIR [--json]",
		Short: "Print record count, bytes, oldest/newest sequence, evictions and file size",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := openOutboxIn(dir)
			if err != nil {
				return err
			}
			defer o.Close()
			return outbox.WriteStats(cmd.OutOrStdout(), o.Path(), o.Stats(), asJSON)
		},
	}
	cmd.Flags().StringVar(&dir, "data", "", "the agent's data directory, which holds outbox.db (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}

func outboxDumpCmd() *cobra.Command {
	var (
		dir string
		opt outbox.DumpOptions
	)
	cmd := &cobra.Command{
		Use:   "dump --data DIR [--json] [--from SEQ] [--limit N]",
		Short: "Print the stored records, one per line, oldest first",
		Long: `Dump prints "SEQ<TAB>RECORD" per line, or with --json one object per line:
{"seq":N,"value":RECORD}. Records that are not JSON are printed as base64
("base64:..." or "value_base64").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := openOutboxIn(dir)
			if err != nil {
				return err
			}
			defer o.Close()
			return outbox.Dump(cmd.OutOrStdout(), o, opt)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "data", "", "the agent's data directory, which holds outbox.db (required)")
	f.BoolVar(&opt.JSON, "json", false, "print one JSON object per record")
	f.Uint64Var(&opt.From, "from", 0, "first sequence to print (default: the oldest)")
	f.IntVar(&opt.Limit, "limit", 0, "print at most N records (default: all)")
	_ = cmd.MarkFlagRequired("data")
	return cmd
}
