package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/sign"
)

func init() {
	fleetCmd := &cobra.Command{
		Use:   "fleet",
		Short: "Roll a model bundle out to a device group stage by stage, and show the group (docs/ota.md)",
	}
	fleetCmd.AddCommand(fleetDeployCmd(), fleetStatusCmd())
	rootCmd.AddCommand(fleetCmd)
}

// brokerFlags are the connection flags of the fleet commands.
type brokerFlags struct {
	url, username, passwordFile, ca string
	root                            string
}

// topics checks --root and returns the fleet's topics under it.
func (b *brokerFlags) topics() (fleet.Topics, error) {
	if err := fleet.CheckRoot(b.root); err != nil {
		return fleet.Topics{}, fmt.Errorf("--root: %w", err)
	}
	return fleet.Topics{Root: b.root}, nil
}

func (b *brokerFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&b.url, "broker", "", "broker URL: mqtt://host:1883 or mqtts://host:8883 (required)")
	f.StringVar(&b.username, "username", "", "user name")
	f.StringVar(&b.passwordFile, "password-file", "", "file holding the password")
	f.StringVar(&b.ca, "ca", "", "CA certificate (PEM) that signed the broker's certificate")
	f.StringVar(&b.root, "root", fleet.DefaultRoot, "topic root of the fleet: the devices' mqtt.fleet_root (their topic_prefix is <root><device>/)")
	_ = cmd.MarkFlagRequired("broker")
}

// dial connects with a fresh client id, so that two operators never take
// each other's session.
func (b *brokerFlags) dial(ctx context.Context, log *slog.Logger) (*fetchmqtt.Conn, error) {
	var pw string
	if b.passwordFile != "" {
		p, err := os.ReadFile(b.passwordFile)
		if err != nil {
			return nil, err
		}
		pw = strings.TrimSpace(string(p))
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return fetchmqtt.Dial(dctx, fetchmqtt.Options{Broker: b.url, ClientID: "fovea-fleet-" + hex.EncodeToString(id[:]),
		Username: b.username, Password: pw, CAFile: b.ca, Logger: log}, nil)
}

func fleetDeployCmd() *cobra.Command {
	var (
		bf                             brokerFlags
		group, bundlePath, key, url    string
		stages, gates, devices         string
		mqttTransfer, force, downgrade bool
		timeout, rollbackTimeout       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "deploy --broker URL --group G --bundle B.fovea --key K.key (--url URL | --mqtt-transfer) [--stages 1,10%,100%] [--gate k=v,…]",
		Short: "Publish a signed deployment stage by stage and wait for each stage to commit",
		Long: `deploy reads which devices of the group are online and where their updates
stand from the retained fovea/<device>/status and fovea/<device>/ota messages,
publishes a signed deployment for each stage's devices on the retained
fovea/groups/<group>/deploy topic, and waits until they report the version
committed. When more of a stage fails than max_failure_rate allows (default:
any failure), it withdraws the deployment, sends model/rollback to every device
that took the version, and exits non-zero with the reason.

The rollout's progress is retained on fovea/groups/<group>/rollout: run the
same command again after an interruption and it resumes at its stage.

--gate sets the devices' health gates (` + strings.Join(fleet.GateKeys(), ", ") + `);
fractions as 0.05 or 5%, durations as 30s.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (url == "") == !mqttTransfer {
				return errors.New("give either --url (where devices download the bundle) or --mqtt-transfer (serve it over the broker)")
			}
			st, err := fleet.ParseStages(stages)
			if err != nil {
				return err
			}
			g, policy, err := fleet.ParseGates(gates)
			if err != nil {
				return err
			}
			priv, err := sign.LoadPrivate(key)
			if err != nil {
				return err
			}
			topics, err := bf.topics()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			conn, err := bf.dial(ctx, log)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			out := cmd.OutOrStdout()
			inv := fleet.NewInventory(topics)
			inv.Watch(conn)
			inv.Settle(ctx, 500*time.Millisecond, 5*time.Second)

			var wg sync.WaitGroup
			srvCtx, stopServer := context.WithCancel(ctx)
			defer func() { stopServer(); wg.Wait() }()
			transfer := ""
			if mqttTransfer {
				if transfer, err = serveBundle(srvCtx, &wg, conn, topics.Root, bundlePath, log); err != nil {
					return err
				}
				fmt.Fprintf(out, "serving %s over MQTT as transfer %s\n", bundlePath, transfer)
			}
			pr := &fleet.Printer{W: out, TTY: isTerminal(out)}
			r, err := fleet.New(fleet.Options{
				Client: conn, Inventory: inv, Topics: topics, Group: group, Bundle: bundlePath, Key: priv,
				URL: url, Transfer: transfer, Stages: st, Gates: g, Policy: policy,
				AllowDowngrade: downgrade, Timeout: timeout, RollbackTimeout: rollbackTimeout,
				Devices: splitList(devices), Force: force, Progress: pr.Progress, Log: log,
			})
			if err != nil {
				return err
			}
			state, runErr := r.Run(ctx)
			if state != nil {
				fleet.Summary(out, state, time.Now())
			}
			if mqttTransfer {
				sent, _ := conn.WireBytes()
				fmt.Fprintf(out, "sent %d bytes to the broker\n", sent)
			}
			return runErr
		},
	}
	bf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&group, "group", "default", "device group (ota.group in the devices' configuration)")
	f.StringVar(&bundlePath, "bundle", "", "signed model bundle (.fovea) to roll out (required)")
	f.StringVar(&key, "key", "", "private key that signs the deployments; the bundle must verify with its public half (required)")
	f.StringVar(&url, "url", "", "http(s) URL where devices download the bundle")
	f.BoolVar(&mqttTransfer, "mqtt-transfer", false, "serve the bundle in chunks over the broker while the rollout runs")
	f.StringVar(&stages, "stages", "1,10%,100%", "cumulative stages: device counts or shares of the group")
	f.StringVar(&gates, "gate", "", "gates as key=value,…: the devices' health gates and max_failure_rate, the share of a stage that may fail")
	f.DurationVar(&timeout, "timeout", time.Hour, "how long a stage's devices have to commit; those that have not count as failed")
	f.DurationVar(&rollbackTimeout, "rollback-timeout", 5*time.Minute, "how long to wait for devices to confirm the rollback of a halted rollout")
	f.StringVar(&devices, "devices", "", "comma-separated group members, for devices that do not name their group in fovea/<device>/ota")
	f.BoolVar(&force, "force", false, "start even when another bundle's rollout of the group is running")
	f.BoolVar(&downgrade, "allow-downgrade", false, "let devices install a version older than the one they run")
	for _, name := range []string{"bundle", "key"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// serveBundle offers the bundle as an MQTT chunk transfer named after its
// name and version to the devices under root, and serves it on wg until
// ctx ends.
func serveBundle(ctx context.Context, wg *sync.WaitGroup, conn *fetchmqtt.Conn, root, path string, log *slog.Logger) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	vb, err := bundle.Inspect(f, bundle.Limits{})
	f.Close()
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	id := vb.Manifest.Name + "-" + vb.Manifest.Version
	wg.Go(func() {
		if err := fetch.ServeChunks(ctx, conn, root, id, path, fetch.DefaultChunkSize, log); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("serving the bundle over MQTT stopped", "err", err)
		}
	})
	return id, nil
}

func fleetStatusCmd() *cobra.Command {
	var (
		bf      brokerFlags
		group   string
		devices string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "status --broker URL --group G [--json]",
		Short: "Show each device of a group: version, OTA state, last reason, online or offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			topics, err := bf.topics()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			conn, err := bf.dial(ctx, log)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			inv := fleet.NewInventory(topics)
			inv.Watch(conn)
			rollout, err := fleet.ReadState(ctx, conn, topics, group, time.Second)
			if err != nil {
				log.Warn("reading the rollout state", "err", err)
			}
			inv.Settle(ctx, 500*time.Millisecond, 5*time.Second)
			members := inv.Members(group, splitList(devices))
			return printFleetStatus(cmd.OutOrStdout(), group, members, rollout, asJSON)
		},
	}
	bf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&group, "group", "default", "device group")
	f.StringVar(&devices, "devices", "", "comma-separated group members, for devices that do not name their group")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printFleetStatus(w io.Writer, group string, members []fleet.Device, rollout *fleet.State, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Group   string         `json:"group"`
			Devices []fleet.Device `json:"devices"`
			Rollout *fleet.State   `json:"rollout,omitempty"`
		}{group, members, rollout})
	}
	if len(members) == 0 {
		fmt.Fprintf(w, "no device of group %q seen (devices name their group in fovea/<device>/ota; or pass --devices)\n", group)
	} else {
		fleet.StatusTable(w, members)
	}
	if rollout != nil {
		fmt.Fprintln(w)
		fleet.Summary(w, rollout, time.Now())
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
