package config

import (
	"os"
	"path/filepath"
	"reflect"
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
