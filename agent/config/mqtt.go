package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// MQTT is the mqtt section: result sync, telemetry and commands. Its
// defaults are mqttsync's (applyDefaults copies them in, so `config show`
// prints them); SyncConfig maps it to mqttsync.Config, and that is the
// only place the two meet. docs/config.md describes each key.
type MQTT struct {
	// Broker is mqtt://host:1883 or mqtts://host:8883, parsed on reading.
	Broker   BrokerURL `yaml:"broker" json:"broker"`
	Protocol string    `yaml:"protocol" json:"protocol"`
	// DeviceID defaults to the top-level device_id.
	DeviceID string `yaml:"device_id" json:"device_id"`
	ClientID string `yaml:"client_id" json:"client_id"`

	Username     string `yaml:"username" json:"username,omitempty"`
	Password     string `yaml:"password" json:"password,omitempty"`
	PasswordFile string `yaml:"password_file" json:"password_file,omitempty"`

	CAFile     string `yaml:"ca_file" json:"ca_file,omitempty"`
	CertFile   string `yaml:"cert_file" json:"cert_file,omitempty"`
	KeyFile    string `yaml:"key_file" json:"key_file,omitempty"`
	ServerName string `yaml:"server_name" json:"server_name,omitempty"`

	TopicPrefix string `yaml:"topic_prefix" json:"topic_prefix"`
	// FleetRoot is the topic root the device's group deployments come
	// under (<root>groups/<group>/deploy) and `fovea fleet --root`
	// uses. Default: topic_prefix without its trailing "<device_id>/".
	FleetRoot string `yaml:"fleet_root" json:"fleet_root"`

	BatchRecords       int      `yaml:"batch_records" json:"batch_records"`
	BatchBytes         ByteSize `yaml:"batch_bytes" json:"batch_bytes"`
	Gzip               bool     `yaml:"gzip" json:"gzip"`
	MaxPacketBytes     ByteSize `yaml:"max_packet_bytes" json:"max_packet_bytes"`
	MaxIncomingBytes   ByteSize `yaml:"max_incoming_bytes" json:"max_incoming_bytes"`
	CommandsPerSecond  float64  `yaml:"commands_per_second" json:"commands_per_second"`
	RateBytesPerSecond ByteSize `yaml:"rate_bytes_per_second" json:"rate_bytes_per_second"`

	KeepAlive       Duration `yaml:"keepalive" json:"keepalive"`
	SessionExpiry   Duration `yaml:"session_expiry" json:"session_expiry"`
	MetricsInterval Duration `yaml:"metrics_interval" json:"metrics_interval"`
	PublishTimeout  Duration `yaml:"publish_timeout" json:"publish_timeout"`
	RetryMin        Duration `yaml:"retry_min" json:"retry_min"`
	RetryMax        Duration `yaml:"retry_max" json:"retry_max"`
}

// SyncConfig is the mqttsync configuration this section describes.
func (m *MQTT) SyncConfig() mqttsync.Config {
	return mqttsync.Config{
		Broker:             m.Broker.URL(),
		Protocol:           m.Protocol,
		DeviceID:           m.DeviceID,
		ClientID:           m.ClientID,
		Username:           m.Username,
		Password:           m.Password,
		PasswordFile:       m.PasswordFile,
		CAFile:             m.CAFile,
		CertFile:           m.CertFile,
		KeyFile:            m.KeyFile,
		ServerName:         m.ServerName,
		TopicPrefix:        m.TopicPrefix,
		BatchRecords:       m.BatchRecords,
		BatchBytes:         int(m.BatchBytes),
		Gzip:               m.Gzip,
		MaxPacketBytes:     int(m.MaxPacketBytes),
		MaxIncomingBytes:   int(m.MaxIncomingBytes),
		CommandsPerSecond:  m.CommandsPerSecond,
		RateBytesPerSecond: int(m.RateBytesPerSecond),
		KeepAlive:          m.KeepAlive.D(),
		SessionExpiry:      m.SessionExpiry.D(),
		MetricsInterval:    m.MetricsInterval.D(),
		PublishTimeout:     m.PublishTimeout.D(),
		RetryMin:           m.RetryMin.D(),
		RetryMax:           m.RetryMax.D(),
	}
}

// applyDefaults fills the unset keys with mqttsync's defaults; the
// device id defaults to the top-level one, so results and topics agree.
func (m *MQTT) applyDefaults(deviceID string) {
	def(&m.DeviceID, deviceID)
	d := mqttsync.Config{DeviceID: m.DeviceID}.WithDefaults()
	def(&m.Protocol, d.Protocol)
	def(&m.ClientID, d.ClientID)
	def(&m.TopicPrefix, d.TopicPrefix)
	if root, ok := strings.CutSuffix(m.TopicPrefix, m.DeviceID+"/"); ok && m.DeviceID != "" {
		def(&m.FleetRoot, root)
	}
	def(&m.BatchRecords, d.BatchRecords)
	def(&m.BatchBytes, ByteSize(d.BatchBytes))
	def(&m.MaxPacketBytes, ByteSize(d.MaxPacketBytes))
	def(&m.MaxIncomingBytes, ByteSize(d.MaxIncomingBytes))
	def(&m.CommandsPerSecond, d.CommandsPerSecond)
	def(&m.KeepAlive, Duration(d.KeepAlive))
	def(&m.SessionExpiry, Duration(d.SessionExpiry))
	def(&m.MetricsInterval, Duration(d.MetricsInterval))
	def(&m.PublishTimeout, Duration(d.PublishTimeout))
	def(&m.RetryMin, Duration(d.RetryMin))
	def(&m.RetryMax, Duration(d.RetryMax))
}

// validateFleetRoot reports a fleet root that cannot prefix the group
// topics; ota says whether the device takes deployments (it then needs
// one).
func (m *MQTT) validateFleetRoot(ota bool) error {
	if m.FleetRoot == "" {
		if !ota {
			return nil
		}
		return fmt.Errorf("mqtt.fleet_root: missing: it cannot be derived from mqtt.topic_prefix %q, which is not <root><device_id>/ (device id %q); set fleet_root to the root the operator's `fovea fleet --root` uses, e.g. %q", m.TopicPrefix, m.DeviceID, fleet.DefaultRoot)
	}
	if err := fleet.CheckRoot(m.FleetRoot); err != nil {
		return fmt.Errorf("mqtt.fleet_root: %w", err)
	}
	return nil
}

// redacted returns m with the password (and any password in the broker
// URL) hidden.
func (m MQTT) redacted() *MQTT {
	if m.Password != "" {
		m.Password = "<redacted>"
	}
	if u := m.Broker.URL(); u != nil {
		if _, ok := u.User.Password(); ok {
			r := *u
			r.User = url.UserPassword(u.User.Username(), "xxxxx")
			m.Broker = BrokerURL{u: &r}
		}
	}
	return &m
}

// BrokerURL is an MQTT broker URL, parsed by mqttsync.ParseBroker when
// the file is read and kept parsed. The zero value is "no broker".
type BrokerURL struct{ u *url.URL }

// URL returns the parsed URL, nil when unset.
func (b BrokerURL) URL() *url.URL { return b.u }

// String returns the URL as written (port made explicit), "" when unset.
func (b BrokerURL) String() string {
	if b.u == nil {
		return ""
	}
	return b.u.String()
}

// UnmarshalYAML parses the URL.
func (b *BrokerURL) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errors.New("want a URL such as mqtts://broker.example.net:8883")
	}
	u, err := mqttsync.ParseBroker(n.Value)
	if err != nil {
		return err
	}
	b.u = u
	return nil
}

// MarshalYAML writes the URL.
func (b BrokerURL) MarshalYAML() (any, error) { return b.String(), nil }

// MarshalJSON writes the URL as a JSON string.
func (b BrokerURL) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }
