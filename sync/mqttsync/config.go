package mqttsync

import (
	"errors"
	"fmt"
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

// Config is the MQTT part of the agent configuration. Zero values take the
// defaults documented on each field (applied by Defaults). It is plain data
// with yaml tags so the agent can embed it in its YAML file.
type Config struct {
	// Broker is the broker URL: mqtt://host:1883 or mqtts://host:8883.
	Broker string `yaml:"broker"`
	// Protocol is "5" (default) or "3.1.1".
	Protocol string `yaml:"protocol"`
	// DeviceID names the device in topics and payloads (required).
	DeviceID string `yaml:"device_id"`
	// ClientID is the MQTT client identifier (default "fovea-<device_id>").
	ClientID string `yaml:"client_id"`

	Username string `yaml:"username"`
	// Password and PasswordFile are mutually exclusive; the file's content
	// (trailing newline removed) is the password.
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`

	// TLS files (PEM). CAFile verifies the broker; CertFile and KeyFile are
	// the client certificate for mutual TLS. ServerName overrides the name
	// checked against the broker certificate (default: the URL's host).
	CAFile     string `yaml:"ca_file"`
	CertFile   string `yaml:"cert_file"`
	KeyFile    string `yaml:"key_file"`
	ServerName string `yaml:"server_name"`

	// TopicPrefix is prepended to every topic (default "fovea/<device_id>/").
	TopicPrefix string `yaml:"topic_prefix"`

	// BatchRecords and BatchBytes cap one results message (defaults 1000
	// records, 256 KiB of encoded payload).
	BatchRecords int `yaml:"batch_records"`
	BatchBytes   int `yaml:"batch_bytes"`
	// Gzip compresses results batches.
	Gzip bool `yaml:"gzip"`
	// MaxPacketBytes caps every outgoing packet (default 256 MiB, the MQTT
	// maximum); the broker's own limit from CONNACK applies too.
	MaxPacketBytes int `yaml:"max_packet_bytes"`
	// MaxIncomingBytes caps incoming command messages (default 64 KiB); with
	// MQTT 5 the broker is told not to send anything larger.
	MaxIncomingBytes int `yaml:"max_incoming_bytes"`
	// CommandsPerSecond caps the rate of incoming commands handled (default
	// 10, burst of twice that); excess commands are dropped and counted.
	CommandsPerSecond float64 `yaml:"commands_per_second"`
	// RateBytesPerSecond caps the results upload rate (0: no cap).
	RateBytesPerSecond int `yaml:"rate_bytes_per_second"`

	// KeepAlive is the MQTT keep-alive (default 30s).
	KeepAlive time.Duration `yaml:"keepalive"`
	// SessionExpiry keeps the broker session (and commands queued for the
	// device) this long after a disconnect (MQTT 5; default 24h). With
	// 3.1.1 any non-zero value selects a persistent session.
	SessionExpiry time.Duration `yaml:"session_expiry"`
	// MetricsInterval is the telemetry period (default 60s).
	MetricsInterval time.Duration `yaml:"metrics_interval"`
	// PublishTimeout bounds the wait for one PUBACK (default 30s).
	PublishTimeout time.Duration `yaml:"publish_timeout"`
	// RetryMin and RetryMax bound the back-off after a failed publish or
	// connection attempt (defaults 500ms and 30s).
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
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

// Validate reports every problem in c (after defaults) at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	u, err := url.Parse(c.Broker)
	switch {
	case c.Broker == "":
		bad("mqtt.broker is empty: set it to mqtt://host:1883 or mqtts://host:8883")
	case err != nil:
		bad("mqtt.broker %q is not a URL: %v", c.Broker, err)
	case u.Scheme != "mqtt" && u.Scheme != "mqtts":
		bad("mqtt.broker %q: scheme must be mqtt:// or mqtts://", c.Broker)
	case u.Host == "":
		bad("mqtt.broker %q has no host", c.Broker)
	}
	if err == nil && u.Scheme == "mqtt" && (c.CAFile != "" || c.CertFile != "") {
		bad("mqtt.broker %q is plain TCP but TLS files are set: use mqtts://", c.Broker)
	}
	if c.Protocol != ProtocolV5 && c.Protocol != ProtocolV311 {
		bad("mqtt.protocol %q: want %q or %q", c.Protocol, ProtocolV5, ProtocolV311)
	}
	if c.DeviceID == "" {
		bad("mqtt.device_id is empty")
	} else if strings.ContainsAny(c.DeviceID, "/+#\x00") {
		bad("mqtt.device_id %q must not contain '/', '+', '#' or NUL", c.DeviceID)
	}
	if strings.ContainsAny(c.TopicPrefix, "+#\x00") {
		bad("mqtt.topic_prefix %q must not contain wildcards '+', '#' or NUL", c.TopicPrefix)
	}
	if c.TopicPrefix != "" && !strings.HasSuffix(c.TopicPrefix, "/") {
		bad("mqtt.topic_prefix %q must end with '/'", c.TopicPrefix)
	}
	if c.Password != "" && c.PasswordFile != "" {
		bad("mqtt.password and mqtt.password_file are both set: keep one")
	}
	if c.PasswordFile != "" {
		if _, err := os.Stat(c.PasswordFile); err != nil {
			bad("mqtt.password_file: %v", err)
		}
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		bad("mqtt.cert_file and mqtt.key_file must be set together (mutual TLS)")
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
		bad("mqtt.batch_records %d must be at least 1", c.BatchRecords)
	}
	if c.BatchBytes < minBatchBytes {
		bad("mqtt.batch_bytes %d must be at least %d", c.BatchBytes, minBatchBytes)
	}
	if c.MaxPacketBytes < minBatchBytes || c.MaxPacketBytes > mqttMaxPacket {
		bad("mqtt.max_packet_bytes %d must be within [%d, %d]", c.MaxPacketBytes, minBatchBytes, mqttMaxPacket)
	}
	if c.MaxIncomingBytes < 256 || c.MaxIncomingBytes > maxIncomingLimit {
		bad("mqtt.max_incoming_bytes %d must be within [256, %d]", c.MaxIncomingBytes, maxIncomingLimit)
	}
	if c.CommandsPerSecond <= 0 {
		bad("mqtt.commands_per_second %v must be positive", c.CommandsPerSecond)
	}
	if c.RateBytesPerSecond < 0 {
		bad("mqtt.rate_bytes_per_second %d must not be negative", c.RateBytesPerSecond)
	}
	if c.KeepAlive < time.Second || c.KeepAlive > 65535*time.Second {
		bad("mqtt.keepalive %v must be within [1s, 65535s]", c.KeepAlive)
	}
	if c.SessionExpiry < 0 || c.SessionExpiry > 0xFFFFFFFF*time.Second {
		bad("mqtt.session_expiry %v out of range", c.SessionExpiry)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"metrics_interval", c.MetricsInterval}, {"publish_timeout", c.PublishTimeout}, {"retry_min", c.RetryMin}, {"retry_max", c.RetryMax}} {
		if d.v <= 0 {
			bad("mqtt.%s %v must be positive", d.name, d.v)
		}
	}
	if c.RetryMax < c.RetryMin {
		bad("mqtt.retry_max %v is below mqtt.retry_min %v", c.RetryMax, c.RetryMin)
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
