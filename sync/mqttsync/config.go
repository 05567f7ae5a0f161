package mqttsync

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Protocol versions accepted in Config.Protocol.
const (
	ProtocolV5   = "5"
	ProtocolV311 = "3.1.1"
)

// Config configures a Syncer or Watch. Zero values take the defaults
// documented on each field (WithDefaults). The agent reads its own YAML
// section (agent/config) and maps it to a Config; Validate holds the rules.
type Config struct {
	// Broker is the broker URL, parsed by ParseBroker: mqtt://host:1883 or
	// mqtts://host:8883.
	Broker *url.URL
	// Protocol is "5" (default) or "3.1.1".
	Protocol string
	// DeviceID names the device in topics and payloads (required).
	DeviceID string
	// ClientID is the MQTT client identifier (default "fovea-<device_id>").
	ClientID string

	Username string
	// Password and PasswordFile are mutually exclusive; the file's content
	// (trailing newline removed) is the password.
	Password     string
	PasswordFile string

	// TLS files (PEM). CAFile verifies the broker; CertFile and KeyFile are
	// the client certificate for mutual TLS. ServerName overrides the name
	// checked against the broker certificate (default: the URL's host).
	CAFile     string
	CertFile   string
	KeyFile    string
	ServerName string

	// TopicPrefix is prepended to every topic (default "fovea/<device_id>/").
	TopicPrefix string

	// BatchRecords and BatchBytes cap one results message (defaults 1000
	// records, 256 KiB of encoded payload).
	BatchRecords int
	BatchBytes   int
	// Gzip compresses results batches.
	Gzip bool
	// MaxPacketBytes caps every outgoing packet (default 256 MiB, the MQTT
	// maximum); the broker's own limit from CONNACK applies too.
	MaxPacketBytes int
	// MaxIncomingBytes caps incoming command messages (default 64 KiB); with
	// MQTT 5 the broker is told not to send anything larger.
	MaxIncomingBytes int
	// CommandsPerSecond caps the rate of incoming commands handled (default
	// 10, burst of twice that); excess commands are dropped and counted.
	CommandsPerSecond float64
	// RateBytesPerSecond caps the results upload rate (0: no cap).
	RateBytesPerSecond int

	// KeepAlive is the MQTT keep-alive (default 30s).
	KeepAlive time.Duration
	// SessionExpiry keeps the broker session (and commands queued for the
	// device) this long after a disconnect (MQTT 5; default 24h). With
	// 3.1.1 any non-zero value selects a persistent session.
	SessionExpiry time.Duration
	// MetricsInterval is the telemetry period (default 60s).
	MetricsInterval time.Duration
	// PublishTimeout bounds the wait for one PUBACK (default 30s).
	PublishTimeout time.Duration
	// RetryMin and RetryMax bound the back-off after a failed publish or
	// connection attempt (defaults 500ms and 30s).
	RetryMin time.Duration
	RetryMax time.Duration
}

// Limits of the protocol and of this package.
const (
	mqttMaxPacket    = 268435455
	minBatchBytes    = 1024
	maxIncomingLimit = 16 << 20
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Protocol == "" {
		c.Protocol = ProtocolV5
	}
	if c.ClientID == "" && c.DeviceID != "" {
		c.ClientID = "fovea-" + c.DeviceID
	}
	if c.TopicPrefix == "" && c.DeviceID != "" {
		c.TopicPrefix = "fovea/" + c.DeviceID + "/"
	}
	setDefault(&c.BatchRecords, 1000)
	setDefault(&c.BatchBytes, 256<<10)
	setDefault(&c.MaxPacketBytes, mqttMaxPacket)
	setDefault(&c.MaxIncomingBytes, 64<<10)
	if c.CommandsPerSecond == 0 {
		c.CommandsPerSecond = 10
	}
	setDefault(&c.KeepAlive, 30*time.Second)
	setDefault(&c.SessionExpiry, 24*time.Hour)
	setDefault(&c.MetricsInterval, 60*time.Second)
	setDefault(&c.PublishTimeout, 30*time.Second)
	setDefault(&c.RetryMin, 500*time.Millisecond)
	setDefault(&c.RetryMax, 30*time.Second)
	return c
}

func setDefault[T int | time.Duration](p *T, v T) {
	if *p == 0 {
		*p = v
	}
}

// ParseBroker parses a broker URL: mqtt://host[:port] (port 1883 when
// left out) or mqtts://host[:port] (8883). The error says what to write.
func ParseBroker(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case s == "":
		return nil, errors.New("empty: set it to mqtt://host:1883 or mqtts://host:8883")
	case err != nil:
		return nil, fmt.Errorf("%q is not a URL; write mqtt://host:1883 or mqtts://host:8883", s)
	case u.Scheme != "mqtt" && u.Scheme != "mqtts":
		return nil, fmt.Errorf("%q: the scheme must be mqtt:// or mqtts://", s)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host; write mqtt://host:1883", s)
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%q: a broker URL has no path or query; write mqtt://host:1883", s)
	}
	if u.Port() == "" {
		port := "1883"
		if u.Scheme == "mqtts" {
			port = "8883"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	u.Path = ""
	return u, nil
}

// Validate reports every problem in c (after defaults) at once. The agent
// calls it once, when its configuration is loaded; New and NewClient do
// not repeat it.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case c.Broker == nil:
		bad("mqtt.broker: missing; set it to mqtt://host:1883 or mqtts://host:8883")
	case c.Broker.Scheme != "mqtt" && c.Broker.Scheme != "mqtts" || c.Broker.Host == "":
		bad("mqtt.broker: %q must be mqtt://host:port or mqtts://host:port", c.Broker.Redacted())
	case c.Broker.Scheme == "mqtt" && (c.CAFile != "" || c.CertFile != ""):
		bad("mqtt.broker: %q is plain TCP but TLS files are set: use mqtts://", c.Broker.Redacted())
	}
	if c.Protocol != ProtocolV5 && c.Protocol != ProtocolV311 {
		bad("mqtt.protocol: %q: want %q or %q", c.Protocol, ProtocolV5, ProtocolV311)
	}
	if c.DeviceID == "" {
		bad("mqtt.device_id: empty")
	} else if strings.ContainsAny(c.DeviceID, "/+#\x00") {
		bad("mqtt.device_id: %q must not contain '/', '+', '#' or NUL", c.DeviceID)
	}
	if strings.ContainsAny(c.TopicPrefix, "+#\x00") {
		bad("mqtt.topic_prefix: %q must not contain wildcards '+', '#' or NUL", c.TopicPrefix)
	}
	if c.TopicPrefix != "" && !strings.HasSuffix(c.TopicPrefix, "/") {
		bad("mqtt.topic_prefix: %q must end with '/'", c.TopicPrefix)
	}
	if c.Password != "" && c.PasswordFile != "" {
		bad("mqtt.password, mqtt.password_file: both set; keep one")
	}
	if c.PasswordFile != "" {
		if _, err := os.Stat(c.PasswordFile); err != nil {
			bad("mqtt.password_file: %v", err)
		}
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		bad("mqtt.cert_file, mqtt.key_file: set both or neither (mutual TLS)")
	}
	for _, f := range []struct{ name, path string }{{"ca_file", c.CAFile}, {"cert_file", c.CertFile}, {"key_file", c.KeyFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			bad("mqtt.%s: %v", f.name, err)
		}
	}
	if c.BatchRecords < 1 {
		bad("mqtt.batch_records: %d must be at least 1", c.BatchRecords)
	}
	if c.BatchBytes < minBatchBytes {
		bad("mqtt.batch_bytes: %d must be at least %d", c.BatchBytes, minBatchBytes)
	}
	if c.MaxPacketBytes < minBatchBytes || c.MaxPacketBytes > mqttMaxPacket {
		bad("mqtt.max_packet_bytes: %d must be within [%d, %d]", c.MaxPacketBytes, minBatchBytes, mqttMaxPacket)
	}
	if c.MaxIncomingBytes < 256 || c.MaxIncomingBytes > maxIncomingLimit {
		bad("mqtt.max_incoming_bytes: %d must be within [256, %d]", c.MaxIncomingBytes, maxIncomingLimit)
	}
	if c.CommandsPerSecond <= 0 {
		bad("mqtt.commands_per_second: %v must be positive", c.CommandsPerSecond)
	}
	if c.RateBytesPerSecond < 0 {
		bad("mqtt.rate_bytes_per_second: %d must not be negative", c.RateBytesPerSecond)
	}
	if c.KeepAlive < time.Second || c.KeepAlive > 65535*time.Second {
		bad("mqtt.keepalive: %v must be within [1s, 65535s]", c.KeepAlive)
	}
	if c.SessionExpiry < 0 || c.SessionExpiry > 0xFFFFFFFF*time.Second {
		bad("mqtt.session_expiry: %v out of range", c.SessionExpiry)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"metrics_interval", c.MetricsInterval}, {"publish_timeout", c.PublishTimeout}, {"retry_min", c.RetryMin}, {"retry_max", c.RetryMax}} {
		if d.v <= 0 {
			bad("mqtt.%s: %v must be positive", d.name, d.v)
		}
	}
	if c.RetryMax < c.RetryMin {
		bad("mqtt.retry_max: %v is below mqtt.retry_min %v", c.RetryMax, c.RetryMin)
	}
	return errors.Join(errs...)
}

// password returns the configured password, reading PasswordFile if set.
func (c Config) password() (string, error) {
	if c.PasswordFile == "" {
		return c.Password, nil
	}
	b, err := os.ReadFile(c.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("read mqtt.password_file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
