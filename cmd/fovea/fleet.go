package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/sign"
)

// brokerFlags connect the operator commands to the broker.
type brokerFlags struct {
	broker, username, passwordFile, ca string
}

func (b *brokerFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&b.broker, "broker", "", "broker URL: mqtt://host:1883 or mqtts://host:8883 (required)")
	f.StringVar(&b.username, "username", "", "user name")
	f.StringVar(&b.passwordFile, "password-file", "", "file holding the password")
	f.StringVar(&b.ca, "ca", "", "CA certificate (PEM) of the broker")
	_ = cmd.MarkFlagRequired("broker")
}

func (b *brokerFlags) connect(ctx context.Context) (fleet.Broker, func(), error) {
	u, err := url.Parse(b.broker)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("--broker %q: want mqtt://host:port or mqtts://host:port", b.broker)
	}
	o := mqtt.NewClientOptions().SetClientID(fmt.Sprintf("fovea-fleet-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)).SetCleanSession(true)
	switch u.Scheme {
	case "mqtt", "tcp":
		o.AddBroker("tcp://" + u.Host)
	case "mqtts", "ssl":
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if b.ca != "" {
			pem, err := os.ReadFile(b.ca)
			if err != nil {
				return nil, nil, err
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, nil, fmt.Errorf("--ca %s: no PEM certificate", b.ca)
			}
		}
		o.AddBroker("ssl://" + u.Host).SetTLSConfig(tc)
	default:
		return nil, nil, fmt.Errorf("--broker %q: scheme must be mqtt or mqtts", b.broker)
	}
	if b.username != "" {
		o.SetUsername(b.username)
	}
	if b.passwordFile != "" {
		pw, err := os.ReadFile(b.passwordFile)
		if err != nil {
			return nil, nil, err
		}
		o.SetPassword(strings.TrimSpace(string(pw)))
	}
	c := mqtt.NewClient(o)
	tok := c.Connect()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return nil, nil, fmt.Errorf("connecting to %s: %w", b.broker, err)
		}
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-time.After(30 * time.Second):
		return nil, nil, fmt.Errorf("connecting to %s: no answer in 30s", b.broker)
	}
	return fleet.Paho(c), func() { c.Disconnect(250) }, nil
}

func init() {
	fleetCmd := &cobra.Command{
		Use:   "fleet",
		Short: "Operator side: roll model bundles out to device groups over MQTT (docs/ota.md)",
	}
	fleetCmd.AddCommand(fleetDeployCmd(), fleetStatusCmd())
	rootCmd.AddCommand(fleetCmd)
}

func fleetDeployCmd() *cobra.Command {
	var (
		bf                              brokerFlags
		group, bundlePath, bundleURL    string
		transfer                        string
		key, stages                     string
		gates                           []string
		maxFail                         float64
		stageTimeout, discover, expires time.Duration
		allowDowngrade                  bool
	)
	cmd := &cobra.Command{
		Use:   "deploy --broker URL --group G --bundle B --url U --key K [--stages 1,10%,100%] [--gate NAME=VALUE …]",
		Short: "Deploy a bundle to a group stage by stage; halt and roll back when a stage fails",
		Long: `deploy publishes a signed deployment of the bundle (which devices fetch from
--url) on fovea/groups/<group>/deploy, one stage at a time: each stage is a
device count or a percentage of the group's devices (those that retained an
OTA status), cumulative. It waits until every device of a stage reports
committed, failed or rolled back; when the failed fraction exceeds
--max-failures it withdraws the deployment and tells the devices that run
the new version to roll back. Progress is kept retained on
fovea/groups/<group>/rollout: running the same command again resumes.

Gates (--gate, repeatable) override the devices' defaults: max_error_rate,
max_latency_p99 (e.g. 80ms), max_latency_ratio, min_agreement, min_accuracy,
shadow_frames, shadow_duration, probation_frames, probation_duration,
min_frames, skip_shadow.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, err := sign.LoadPrivate(key)
			if err != nil {
				return err
			}
			st, err := fleet.ParseStages(stages)
			if err != nil {
				return err
			}
			g, err := parseGates(gates)
			if err != nil {
				return err
			}
			if (bundleURL == "") == (transfer == "") {
				return fmt.Errorf("give exactly one of --url (devices download over HTTP) and --transfer (chunks over MQTT, served by this command)")
			}
			d, err := bundleDeployment(bundlePath, bundleURL)
			if err != nil {
				return err
			}
			d.Transfer = transfer
			d.Gates, d.AllowDowngrade = g, allowDowngrade
			d.Created = time.Now().UTC()
			if expires > 0 {
				d.Expires = d.Created.Add(expires)
			}
			b, closeFn, err := bf.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			w := cmd.OutOrStdout()
			if transfer != "" {
				stopServe, err := bf.serveChunks(cmd.Context(), transfer, bundlePath)
				if err != nil {
					return err
				}
				defer stopServe()
				fmt.Fprintf(w, "serving %s as MQTT transfer %s\n", bundlePath, transfer)
			}
			fmt.Fprintf(w, "deploying %s %s (%d bytes) to group %s in stages %s\n", d.Name, d.Version, d.Size, group, stages)
			var last fleet.Progress
			r, err := fleet.Run(cmd.Context(), b, priv, fleet.Plan{
				Group: group, Stages: st, Deployment: *d, MaxFailureRate: maxFail, StageTimeout: stageTimeout, Discover: discover,
			}, func(p fleet.Progress) {
				if p.Stage != last.Stage || p.Committed != last.Committed || p.Failed != last.Failed || p.Done != last.Done {
					fmt.Fprintln(w, progressLine(p))
					last = p
				}
			})
			if r != nil && r.State == fleet.Done {
				fmt.Fprintf(w, "done: %s %s on every device of %s (%s)\n", r.Name, r.Version, group, time.Since(r.Started).Round(time.Second))
			}
			return err
		},
	}
	bf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&group, "group", "", "device group (ota.group of the devices; required)")
	f.StringVar(&bundlePath, "bundle", "", "the bundle file (required): its name, version, size and sha256 go into the deployment")
	f.StringVar(&bundleURL, "url", "", "where devices download the bundle: http(s):// or file://")
	f.StringVar(&transfer, "transfer", "", "serve the bundle in chunks over MQTT under this transfer id, instead of --url")
	f.StringVar(&key, "key", "", "private key that signs the deployment (required)")
	f.StringVar(&stages, "stages", "1,10%,100%", "cumulative stages: device counts or percentages; the last is 100%")
	f.StringArrayVar(&gates, "gate", nil, "gate override NAME=VALUE (repeatable)")
	f.Float64Var(&maxFail, "max-failures", 0, "largest fraction of a stage's devices that may fail before the rollout halts")
	f.DurationVar(&stageTimeout, "stage-timeout", 2*time.Hour, "longest wait for a stage's devices")
	f.DurationVar(&discover, "discover", 3*time.Second, "time to collect the devices' retained statuses")
	f.DurationVar(&expires, "expires", 7*24*time.Hour, "the deployment expires after this (0 = never)")
	f.BoolVar(&allowDowngrade, "allow-downgrade", false, "let devices install a version not newer than theirs (a fleet-wide rollback)")
	for _, n := range []string{"group", "bundle", "key"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

// serveChunks answers the devices' chunk requests for the bundle until
// the returned function is called.
func (b *brokerFlags) serveChunks(ctx context.Context, id, path string) (func(), error) {
	pw := ""
	if b.passwordFile != "" {
		p, err := os.ReadFile(b.passwordFile)
		if err != nil {
			return nil, err
		}
		pw = strings.TrimSpace(string(p))
	}
	ctx, cancel := context.WithCancel(ctx)
	conn, err := fetchmqtt.Dial(ctx, fetchmqtt.Options{Broker: b.broker, ClientID: fmt.Sprintf("fovea-fleet-chunks-%d", os.Getpid()),
		Username: b.username, Password: pw, CAFile: b.ca}, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	srv := fetch.NewChunkServer(conn, nil)
	if _, err := srv.Add(id, path, 0); err != nil {
		cancel()
		return nil, err
	}
	conn.Subscribe(fetch.RequestFilter, srv.Deliver)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
		conn.Close(context.Background())
	}, nil
}

func progressLine(p fleet.Progress) string {
	const width = 20
	filled := 0
	if p.Devices > 0 {
		filled = width * (p.Committed + p.Failed) / p.Devices
	}
	bar := strings.Repeat("#", filled) + strings.Repeat("-", width-filled)
	s := fmt.Sprintf("stage %d/%d %-5s [%s] %d/%d committed, %d failed  %s", p.Stage, p.Stages, p.Label, bar, p.Committed, p.Devices, p.Failed, p.Elapsed.Round(100*time.Millisecond))
	if p.FailureReasonExample != "" {
		s += "\n    " + p.FailureReasonExample
	}
	return s
}

// bundleDeployment describes the bundle file for a deployment.
func bundleDeployment(path, u string) (*deploy.Deployment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	v, err := bundle.Inspect(io.TeeReader(f, h), bundle.Limits{})
	if err != nil {
		return nil, fmt.Errorf("--bundle: %w", err)
	}
	n, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	d := &deploy.Deployment{Name: v.Manifest.Name, Version: v.Manifest.Version, URL: u, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	return d, nil
}

// parseGates reads NAME=VALUE overrides into deploy.Gates through its JSON
// names, so the flags and the message never disagree.
func parseGates(kvs []string) (deploy.Gates, error) {
	var g deploy.Gates
	m := map[string]any{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return g, fmt.Errorf("--gate %q: want NAME=VALUE", kv)
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			m[k] = f
		} else if b, err := strconv.ParseBool(v); err == nil {
			m[k] = b
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return g, fmt.Errorf("--gate: %w", err)
	}
	return g, nil
}

func fleetStatusCmd() *cobra.Command {
	var (
		bf     brokerFlags
		group  string
		wait   time.Duration
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "status --broker URL --group G",
		Short: "Show each device's model version and update state, and the group's rollout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, closeFn, err := bf.connect(cmd.Context())
			if err != nil {
				return err
			}
			defer closeFn()
			fl, err := fleet.Watch(cmd.Context(), b, group)
			if err != nil {
				return err
			}
			r, err := fleet.ReadRollout(cmd.Context(), b, group, wait)
			if err != nil {
				return err
			}
			fl.Settle(cmd.Context(), wait)
			devs := fl.Devices()
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(map[string]any{"devices": devs, "rollout": r})
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tACTIVE\tSTATE\tVERSION\tDEPLOYMENT\tPROGRESS\tREASON")
			for _, s := range devs {
				active := s.Active
				if active == "" {
					active = "(model.path)"
				}
				prog := ""
				if s.Progress.Total > 0 && s.State == "downloading" {
					prog = fmt.Sprintf("%.0f%%", s.Progress.Percent)
				}
				reason := s.Reason
				if len(reason) > 80 {
					reason = reason[:77] + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.Device, active, s.State, s.Version, s.Deployment, prog, reason)
			}
			tw.Flush()
			if len(devs) == 0 {
				fmt.Fprintf(w, "no device of group %s has reported\n", group)
			}
			if r != nil {
				fmt.Fprintf(w, "rollout: %s %s, %s, stage %d/%d (%s)", r.Name, r.Version, r.State, r.Current+1, len(r.Stages), r.Stages[r.Current])
				if r.Reason != "" {
					fmt.Fprintf(w, ": %s", r.Reason)
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	bf.add(cmd)
	cmd.Flags().StringVar(&group, "group", "", "device group (required)")
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Second, "time to collect the retained statuses")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("group")
	return cmd
}
