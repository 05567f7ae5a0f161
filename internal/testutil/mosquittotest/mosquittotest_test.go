package mosquittotest

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestStartStopRestartSamePort(t *testing.T) {
	b := Start(t, Options{Persistence: true})
	port := b.Port()
	mustDial(t, b.Addr())
	b.Stop()
	if c, err := net.DialTimeout("tcp", b.Addr(), time.Second); err == nil {
		c.Close()
		t.Fatalf("dial %s after Stop succeeded; want refused", b.Addr())
	}
	b.Restart()
	if b.Port() != port {
		t.Fatalf("Port() after Restart = %d; want %d", b.Port(), port)
	}
	mustDial(t, b.Addr())
	if !strings.HasPrefix(b.URL(), "mqtt://127.0.0.1:") {
		t.Errorf("URL() = %q; want mqtt://127.0.0.1:port", b.URL())
	}
}

func TestTLSVariants(t *testing.T) {
	ca := NewTLS(t, "dev1")
	other := NewTLS(t, "dev1")
	tests := []struct {
		name        string
		requireMTLS bool
		caFile      string
		clientCert  bool
		wantErr     bool
	}{
		{"server auth only", false, ca.CAFile, false, false},
		{"mutual TLS", true, ca.CAFile, true, false},
		{"wrong CA", false, other.CAFile, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Start(t, Options{TLS: ca, RequireClientCert: tc.requireMTLS})
			if !strings.HasPrefix(b.URL(), "mqtts://") {
				t.Errorf("URL() = %q; want mqtts://", b.URL())
			}
			pemCA, err := os.ReadFile(tc.caFile)
			if err != nil {
				t.Fatal(err)
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pemCA)
			cfg := &tls.Config{RootCAs: pool, ServerName: "localhost"}
			if tc.clientCert {
				cert, err := tls.LoadX509KeyPair(ca.ClientCertFile, ca.ClientKeyFile)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Certificates = []tls.Certificate{cert}
			}
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", b.Addr(), cfg)
			if err == nil {
				err = c.Handshake()
				c.Close()
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("TLS handshake err = %v; wantErr %v", err, tc.wantErr)
			}
		})
	}
}

func TestPasswordAndACLFilesWritten(t *testing.T) {
	b := Start(t, Options{Users: map[string]string{"dev1": "s3cret"}, ACL: "user dev1\ntopic readwrite fovea/dev1/#\n"})
	mustDial(t, b.Addr())
	pw, err := os.ReadFile(b.Dir() + "/passwd")
	if err != nil || !strings.HasPrefix(string(pw), "dev1:") {
		t.Fatalf("password file = %q, %v; want a dev1: line", pw, err)
	}
	b.SetACL("user dev1\ntopic read fovea/#\n")
	b.Restart()
	mustDial(t, b.Addr())
}

func mustDial(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	c.Close()
}
