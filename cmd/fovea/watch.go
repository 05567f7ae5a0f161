package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/sync/mqttsync"
)

func init() {
	var (
		o      mqttsync.WatchOptions
		cfg    mqttsync.Config
		broker string
	)
	cmd := &cobra.Command{
		Use:   "watch --broker URL [--device ID] [--json]",
		Short: "Print devices' results and status from an MQTT broker as they arrive",
		Long: `watch subscribes to <root><device>/# on the broker and prints every result
(one line per record, with its outbox seq), status change, telemetry message
and command reply. Without --device it shows every device under the root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u, err := mqttsync.ParseBroker(broker)
			if err != nil {
				return fmt.Errorf("--broker: %w", err)
			}
			cfg.Broker = u
			o.Config = cfg
			o.Out = cmd.OutOrStdout()
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
			return mqttsync.Watch(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&broker, "broker", "", "broker URL: mqtt://host:1883 or mqtts://host:8883 (required)")
	f.StringVar(&cfg.Protocol, "protocol", mqttsync.ProtocolV5, "MQTT protocol: 5 or 3.1.1")
	f.StringVar(&cfg.Username, "username", "", "user name")
	f.StringVar(&cfg.PasswordFile, "password-file", "", "file holding the password")
	f.StringVar(&cfg.CAFile, "ca", "", "CA certificate (PEM) that signed the broker's certificate")
	f.StringVar(&cfg.CertFile, "cert", "", "client certificate (PEM) for mutual TLS")
	f.StringVar(&cfg.KeyFile, "key", "", "client key (PEM) for mutual TLS")
	f.StringVar(&o.Device, "device", "", "show only this device (default: all)")
	f.StringVar(&o.Root, "root", "fovea/", "topic root the devices publish under")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per line")
	_ = cmd.MarkFlagRequired("broker")
	rootCmd.AddCommand(cmd)
}
