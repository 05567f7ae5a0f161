package mqttsync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := Config{Broker: "mqtt://127.0.0.1:1883", DeviceID: "dev1"}
	tests := []struct {
		name string
		mut  func(*Config)
		want []string // substrings of the error; nil = valid
	}{
		{"minimal", func(c *Config) {}, nil},
		{"3.1.1 with password file", func(c *Config) { c.Protocol, c.PasswordFile = ProtocolV311, pw }, nil},
		{"empty broker", func(c *Config) { c.Broker = "" }, []string{"mqtt.broker is empty"}},
		{"bad scheme", func(c *Config) { c.Broker = "http://x:1883" }, []string{"scheme must be mqtt:// or mqtts://"}},
		{"TLS files on plain TCP", func(c *Config) { c.CAFile = pw }, []string{"plain TCP but TLS files are set"}},
		{"bad protocol", func(c *Config) { c.Protocol = "4" }, []string{`mqtt.protocol "4"`}},
		{"device id with slash", func(c *Config) { c.DeviceID = "a/b" }, []string{"must not contain"}},
		{"prefix with wildcard", func(c *Config) { c.TopicPrefix = "fovea/#/" }, []string{"wildcards"}},
		{"prefix without slash", func(c *Config) { c.TopicPrefix = "fovea" }, []string{"must end with '/'"}},
		{"password twice", func(c *Config) { c.Password, c.PasswordFile = "x", pw }, []string{"both set"}},
		{"missing files", func(c *Config) {
			c.Broker = "mqtts://h:8883"
			c.CAFile, c.CertFile = "/nonexistent/ca.pem", "/nonexistent/c.pem"
		}, []string{"cert_file and mqtt.key_file must be set together", "mqtt.ca_file", "mqtt.cert_file"}},
		{"every number wrong at once", func(c *Config) {
			c.BatchRecords, c.BatchBytes, c.KeepAlive, c.RetryMin, c.RetryMax, c.RateBytesPerSecond = -1, 10, time.Millisecond, time.Second, time.Millisecond, -5
		}, []string{"batch_records", "batch_bytes", "keepalive", "retry_max", "rate_bytes_per_second"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.mut(&c)
			err := c.WithDefaults().Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil; want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v; want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{Broker: "mqtt://h:1883", DeviceID: "cam-7"}.WithDefaults()
	if c.TopicPrefix != "fovea/cam-7/" || c.ClientID != "fovea-cam-7" || c.Protocol != ProtocolV5 || c.SessionExpiry != 24*time.Hour {
		t.Errorf("WithDefaults() = %+v; want prefix fovea/cam-7/, client fovea-cam-7, protocol 5, session 24h", c)
	}
	if got := (Config{Password: "x"}).Redacted().Password; got != "<redacted>" {
		t.Errorf("Redacted().Password = %q; want <redacted>", got)
	}
}

func TestPasswordFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte("s3cret\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Config{PasswordFile: p}.password()
	if err != nil || got != "s3cret" {
		t.Errorf("password() = %q, %v; want s3cret", got, err)
	}
}
