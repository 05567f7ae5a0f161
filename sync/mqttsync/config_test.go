package mqttsync

import (
	"net/url"
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
	good := Config{Broker: mustBroker(t, "mqtt://127.0.0.1:1883"), DeviceID: "dev1"}
	tests := []struct {
		name string
		mut  func(*Config)
		want []string // substrings of the error; nil = valid
	}{
		{"minimal", func(c *Config) {}, nil},
		{"3.1.1 with password file", func(c *Config) { c.Protocol, c.PasswordFile = ProtocolV311, pw }, nil},
		{"no broker", func(c *Config) { c.Broker = nil }, []string{"mqtt.broker: missing"}},
		{"bad scheme", func(c *Config) { c.Broker = &url.URL{Scheme: "http", Host: "x:1883"} }, []string{"must be mqtt://host:port"}},
		{"TLS files on plain TCP", func(c *Config) { c.CAFile = pw }, []string{"plain TCP but TLS files are set"}},
		{"bad protocol", func(c *Config) { c.Protocol = "4" }, []string{`mqtt.protocol: "4"`}},
		{"device id with slash", func(c *Config) { c.DeviceID = "a/b" }, []string{"must not contain"}},
		{"prefix with wildcard", func(c *Config) { c.TopicPrefix = "fovea/#/" }, []string{"wildcards"}},
		{"prefix without slash", func(c *Config) { c.TopicPrefix = "fovea" }, []string{"must end with '/'"}},
		{"password twice", func(c *Config) { c.Password, c.PasswordFile = "x", pw }, []string{"both set"}},
		{"missing files", func(c *Config) {
			c.Broker = mustBroker(t, "mqtts://h:8883")
			c.CAFile, c.CertFile = "/nonexistent/ca.pem", "/nonexistent/c.pem"
		}, []string{"mqtt.cert_file, mqtt.key_file: set both or neither", "mqtt.ca_file", "mqtt.cert_file"}},
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
	c := Config{Broker: mustBroker(t, "mqtt://h:1883"), DeviceID: "cam-7"}.WithDefaults()
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

// mustBroker parses a broker URL that the test knows to be valid.
func mustBroker(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := ParseBroker(s)
	if err != nil {
		t.Fatalf("ParseBroker(%q) = %v", s, err)
	}
	return u
}

func TestParseBroker(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"mqtt://127.0.0.1:1883", "mqtt://127.0.0.1:1883", ""},
		{"mqtt://broker.local", "mqtt://broker.local:1883", ""},
		{"mqtts://broker.example.net", "mqtts://broker.example.net:8883", ""},
		{"mqtts://[::1]:8884/", "mqtts://[::1]:8884", ""},
		{"mqtts://user:pw@h:8883", "mqtts://user:xxxxx@h:8883", ""},
		{"", "", "empty"},
		{"http://h:1883", "", "scheme must be mqtt:// or mqtts://"},
		{"broker.local:1883", "", "scheme must be"},
		{"mqtt://", "", "has no host"},
		{"mqtt://h:1883/fovea", "", "no path or query"},
		{"mqtt://h:1883?x=1", "", "no path or query"},
		{"mqtt://h:port", "", "not a URL"},
	}
	for _, tt := range tests {
		u, err := ParseBroker(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseBroker(%q) = %v, %v; want an error containing %q", tt.in, u, err, tt.err)
			}
			continue
		}
		if err != nil || u.Redacted() != tt.want {
			t.Errorf("ParseBroker(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}
