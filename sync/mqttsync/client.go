package mqttsync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
)

// Message is one MQTT application message.
type Message struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// Client is a connection to one broker that is kept up in the background
// (reconnecting with capped, jittered back-off) between Start and Close.
// Two implementations exist: MQTT 5 (paho.golang autopaho, the default) and
// MQTT 3.1.1 (paho.mqtt.golang); NewClient picks one from the config.
type Client interface {
	// Start begins connecting in the background; it returns at once.
	Start(ctx context.Context) error
	// AwaitConnection returns when the connection is up or ctx ends.
	AwaitConnection(ctx context.Context) error
	// Publish sends m with QoS 1 and returns nil only once the broker has
	// acknowledged it (with MQTT 5, a PUBACK reason code below 0x80). A
	// rejected publish returns a *RejectedError.
	Publish(ctx context.Context, m Message) error
	// MaxPacketSize is the broker's maximum packet size from the last
	// CONNACK (MQTT 5), or 0 when the broker did not say.
	MaxPacketSize() int
	// Protocol returns ProtocolV5 or ProtocolV311.
	Protocol() string
	// WireBytes returns the bytes written to and read from the network so far.
	WireBytes() (sent, received int64)
	// Close disconnects and waits for the client's goroutines to end.
	Close(ctx context.Context) error
}

// ClientOptions are the callbacks and subscriptions of a Client.
type ClientOptions struct {
	Config Config // defaults applied
	// Will is the Last Will (published by the broker if the connection is
	// lost without a clean disconnect).
	Will *Message
	// Subscribe lists topic filters subscribed with QoS 1 on every
	// connection (MQTT 5: with No Local, so the client never receives what
	// it published itself).
	Subscribe []string
	// OnMessage receives incoming publishes. It must not block for long.
	OnMessage func(Message)
	// OnConnect is called after each successful connection.
	OnConnect func()
	// OnError is called when a connection attempt fails or a connection is
	// lost; the error has hints for the common configuration mistakes.
	OnError func(error)
	Logger  *slog.Logger
}

// NewClient returns the client for opts.Config.Protocol. It does not
// validate opts.Config (see Config.Validate); a missing broker URL is an
// error.
func NewClient(opts ClientOptions) (Client, error) {
	if opts.Config.Broker == nil {
		return nil, fmt.Errorf("mqttsync.NewClient: %w: no broker URL", ErrConfig)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	for _, f := range []*func(){&opts.OnConnect} {
		if *f == nil {
			*f = func() {}
		}
	}
	if opts.OnMessage == nil {
		opts.OnMessage = func(Message) {}
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	switch opts.Config.Protocol {
	case ProtocolV5, "":
		return newClient5(opts)
	case ProtocolV311:
		return newClient311(opts)
	}
	return nil, fmt.Errorf("mqttsync.NewClient: %w: protocol %q", ErrConfig, opts.Config.Protocol)
}

// tlsConfig builds the TLS configuration for an mqtts:// broker, or nil
// for plain TCP.
func tlsConfig(c Config) (*tls.Config, error) {
	u := c.Broker
	if u.Scheme != "mqtts" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	if c.CAFile != "" {
		pemData, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read mqtt.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return nil, fmt.Errorf("mqtt.ca_file %s holds no PEM certificate", c.CAFile)
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load mqtt.cert_file/mqtt.key_file: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// explainConnectError adds what to do to the common connection failures.
func explainConnectError(c Config, err error) error {
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   *tls.CertificateVerificationError
	)
	msg := err.Error()
	hint := ""
	switch {
	case errors.As(err, &unknownCA):
		hint = fmt.Sprintf("the broker's certificate is not signed by a CA in mqtt.ca_file (%q)", c.CAFile)
	case errors.As(err, &hostErr):
		hint = "the broker's certificate does not name this host: check the broker URL or set mqtt.server_name"
	case errors.As(err, &certErr):
		hint = "the broker's certificate could not be verified: check mqtt.ca_file"
	case strings.Contains(msg, "remote error: tls:") && (strings.Contains(msg, "certificate") || strings.Contains(msg, "handshake failure")):
		if c.CertFile == "" {
			hint = "the broker requires a client certificate (mutual TLS): set mqtt.cert_file and mqtt.key_file"
		} else {
			hint = "the broker refused the client certificate: is it signed by a CA the broker trusts?"
		}
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "connection reset"):
		switch {
		case c.Broker.Scheme == "mqtt":
			hint = "the broker closed the connection during CONNECT: if this port speaks TLS, use mqtts://"
		case c.CertFile == "":
			hint = "the broker closed the TLS connection during CONNECT: it probably requires a client certificate (mutual TLS): set mqtt.cert_file and mqtt.key_file"
		default:
			hint = "the broker closed the TLS connection during CONNECT: it probably refused the client certificate"
		}
	case strings.Contains(msg, "not authorized") || strings.Contains(msg, "Not authorized") || strings.Contains(msg, "bad user name or password"):
		hint = "the broker refused the credentials: check mqtt.username and mqtt.password"
	case errors.Is(err, syscall.ECONNREFUSED):
		hint = "nothing listens at the broker address (yet); will retry"
	}
	if hint == "" {
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}
