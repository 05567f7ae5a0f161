package mqttsync

import (
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

func TestTLS(t *testing.T) {
	ca := NewTLSForTest(t)
	other := NewTLSForTest(t)
	tests := []struct {
		name     string
		protocol string
		mutual   bool
		mutate   func(*Config, *mosquittotest.Broker)
		wantErr  string // substring of Health().LastError; "" = must deliver
	}{
		{"mutual TLS v5", ProtocolV5, true, func(c *Config, _ *mosquittotest.Broker) {}, ""},
		{"mutual TLS v3.1.1", ProtocolV311, true, func(c *Config, _ *mosquittotest.Broker) {}, ""},
		{"server auth only", ProtocolV5, false, func(c *Config, _ *mosquittotest.Broker) { c.CertFile, c.KeyFile = "", "" }, ""},
		{"wrong CA", ProtocolV5, true, func(c *Config, _ *mosquittotest.Broker) { c.CAFile = other.CAFile }, "not signed by a CA in mqtt.ca_file"},
		{"wrong CA v3.1.1", ProtocolV311, true, func(c *Config, _ *mosquittotest.Broker) { c.CAFile = other.CAFile }, "not signed by a CA in mqtt.ca_file"},
		{"missing client cert", ProtocolV5, true, func(c *Config, _ *mosquittotest.Broker) { c.CertFile, c.KeyFile = "", "" }, "client certificate (mutual TLS): set mqtt.cert_file"},
		{"client cert from another CA", ProtocolV5, true, func(c *Config, _ *mosquittotest.Broker) {
			c.CertFile, c.KeyFile = other.ClientCertFile, other.ClientKeyFile
		}, "client certificate"},
		{"server name mismatch", ProtocolV5, true, func(c *Config, _ *mosquittotest.Broker) { c.ServerName = "broker.example" }, "does not name this host"},
		{"plain TCP to the TLS port", ProtocolV5, true, func(c *Config, b *mosquittotest.Broker) {
			c.Broker = mustBroker(t, "mqtt://"+b.Addr())
			c.CAFile, c.CertFile, c.KeyFile = "", "", ""
		}, "use mqtts://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{TLS: ca, RequireClientCert: tc.mutual})
			ob, _ := openOutbox(t, outbox.Options{})
			appendN(t, ob, 10)
			cfg := testConfig(b, tc.protocol)
			cfg.CAFile, cfg.CertFile, cfg.KeyFile = ca.CAFile, ca.ClientCertFile, ca.ClientKeyFile
			tc.mutate(&cfg, b)
			s, _ := runSyncer(t, Options{Config: cfg, Queue: ob})
			if tc.wantErr == "" {
				waitFor(t, 20*time.Second, "delivery over TLS", func() bool { return ob.Stats().Count == 0 })
				return
			}
			waitFor(t, 20*time.Second, "a connection error", func() bool { return s.Health().LastError != "" })
			time.Sleep(300 * time.Millisecond) // a few retries
			h := s.Health()
			if h.Connected || h.State != "connecting" {
				t.Errorf("Health() = %+v; want never connected", h)
			}
			if !strings.Contains(h.LastError, tc.wantErr) {
				t.Errorf("Health().LastError = %q; want it to contain %q", h.LastError, tc.wantErr)
			}
			if st := ob.Stats(); st.Count != 10 {
				t.Errorf("outbox count = %d; want 10 kept", st.Count)
			}
		})
	}
}

// NewTLSForTest makes a throwaway CA with server and client certificates.
func NewTLSForTest(t *testing.T) *mosquittotest.TLS { return mosquittotest.NewTLS(t, "dev1") }
