package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSyncConfigMapsEveryField: a section that sets every key yields an
// mqttsync.Config with every field set to that value, so a field added
// to one side and forgotten on the other fails here.
func TestSyncConfigMapsEveryField(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"pw", "ca.pem", "c.pem", "c.key"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Decode, not Parse: password and password_file together are refused
	// by validation, and the mapping is what is tested here.
	c, err := Decode([]byte(minimal + `
mqtt:
  broker: mqtts://broker.local:9883
  protocol: "3.1.1"
  device_id: other
  client_id: cid
  username: u
  password: p
  password_file: ` + filepath.Join(dir, "pw") + `
  ca_file: ` + filepath.Join(dir, "ca.pem") + `
  cert_file: ` + filepath.Join(dir, "c.pem") + `
  key_file: ` + filepath.Join(dir, "c.key") + `
  server_name: sn
  topic_prefix: t/
  batch_records: 7
  batch_bytes: 2KiB
  gzip: true
  max_packet_bytes: 1MiB
  max_incoming_bytes: 4096
  commands_per_second: 2.5
  rate_bytes_per_second: 1MB
  keepalive: 11s
  session_expiry: 1h
  metrics_interval: 2m
  publish_timeout: 3s
  retry_min: 40ms
  retry_max: 4s
`))
	if err != nil {
		t.Fatalf("Decode = %v", err)
	}
	got := c.MQTT.SyncConfig()
	v := reflect.ValueOf(got)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("SyncConfig().%s is zero; the mqtt section does not map it", v.Type().Field(i).Name)
		}
	}
	if got.Broker.String() != "mqtts://broker.local:9883" || got.BatchBytes != 2048 || got.RateBytesPerSecond != 1e6 ||
		got.KeepAlive != 11*time.Second || got.RetryMin != 40*time.Millisecond || got.CommandsPerSecond != 2.5 {
		t.Errorf("SyncConfig() = %+v; values differ from the section", got)
	}
}

// TestMQTTDefaultsAreMqttsyncs: the defaults the config fills in (and
// config show prints) are the ones mqttsync would apply itself.
func TestMQTTDefaultsAreMqttsyncs(t *testing.T) {
	c, err := Parse([]byte(minimal + "mqtt:\n  broker: mqtt://127.0.0.1\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.MQTT.SyncConfig()
	if want := got.WithDefaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("SyncConfig() = %+v\nmqttsync.WithDefaults adds %+v", got, want)
	}
	if got.DeviceID != "dev1" || got.TopicPrefix != "fovea/dev1/" || got.Broker.Host != "127.0.0.1:1883" {
		t.Errorf("SyncConfig() = %+v; want device dev1, prefix fovea/dev1/, broker port 1883", got)
	}
}

// TestFleetRoot: the group deployment topic's root follows a custom
// topic_prefix, and a prefix it cannot be derived from is an error that
// names mqtt.fleet_root, only when the device takes deployments.
func TestFleetRoot(t *testing.T) {
	const ota = "ota: {trusted_keys: [\"ed25519:AAAA\"]}\n"
	tests := []struct {
		name, mqtt, ota string
		root, err       string
	}{
		{"default prefix", `{broker: mqtt://127.0.0.1}`, ota, "fovea/", ""},
		{"custom prefix ending in the device", `{broker: mqtt://127.0.0.1, topic_prefix: plant3/line2/dev1/}`, ota, "plant3/line2/", ""},
		{"device as the whole prefix", `{broker: mqtt://127.0.0.1, topic_prefix: dev1/}`, ota, "", `mqtt.fleet_root: missing: it cannot be derived from mqtt.topic_prefix "dev1/"`},
		{"explicit root", `{broker: mqtt://127.0.0.1, topic_prefix: site/cams/x/, fleet_root: site/}`, ota, "site/", ""},
		{"underivable with OTA", `{broker: mqtt://127.0.0.1, topic_prefix: site/cams/x/}`, ota, "", `mqtt.fleet_root: missing: it cannot be derived from mqtt.topic_prefix "site/cams/x/", which is not <root><device_id>/ (device id "dev1")`},
		{"underivable without OTA", `{broker: mqtt://127.0.0.1, topic_prefix: site/cams/x/}`, "", "", ""},
		{"wildcard", `{broker: mqtt://127.0.0.1, fleet_root: "site/+/"}`, ota, "", "mqtt.fleet_root: topic root \"site/+/\" must not contain wildcards"},
		{"no slash", `{broker: mqtt://127.0.0.1, fleet_root: site}`, ota, "", "mqtt.fleet_root: topic root \"site\" must end with '/'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(minimal + "mqtt: " + tt.mqtt + "\n" + tt.ota))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse = %v; want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			if c.MQTT.FleetRoot != tt.root {
				t.Errorf("mqtt.fleet_root = %q; want %q", c.MQTT.FleetRoot, tt.root)
			}
		})
	}
}
