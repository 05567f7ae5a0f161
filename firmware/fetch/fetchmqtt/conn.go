// Package fetchmqtt connects package fetch's chunked transfer to a plain
// MQTT 5 client (paho.golang's autopaho), for the operator's CLI, which has
// no Syncer, and for tests. On the device the agent adapts its mqttsync
// Syncer instead (firmware does not import sync/...).
package fetchmqtt

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/internal/base/mqttutil"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// Options say how to reach the broker. Zero values take the defaults named.
type Options struct {
	// Broker is mqtt://host:1883 or mqtts://host:8883 (required).
	Broker string
	// ClientID is the MQTT client identifier (required, unique per broker).
	ClientID string
	// Username and Password, when the broker wants them.
	Username, Password string
	// CAFile is a PEM bundle that verifies an mqtts:// broker (default: the
	// system's roots).
	CAFile string
	// KeepAlive (default 30s) and PublishTimeout, the wait for one
	// acknowledgement (default 30s).
	KeepAlive, PublishTimeout time.Duration
	Logger                    *slog.Logger
}

// Conn is an MQTT connection kept up in the background (reconnecting with
// capped, jittered back-off); it implements fetch.Publisher and
// fetch.Subscriber.
type Conn struct {
	cm         *autopaho.ConnectionManager
	mu         sync.RWMutex
	routes     []route // guarded by mu
	timeout    time.Duration
	log        *slog.Logger
	sent, recv atomic.Int64
	ctx        context.Context // ends the subscription calls in flight
	cancel     context.CancelFunc
	wg         sync.WaitGroup // subscription goroutines
}

type route struct {
	filter string
	fn     func(fetch.Message)
}

// Dial connects to the broker, subscribes to the filters of subs (may be
// nil; see Subscribe) with QoS 1, again on every reconnect, and hands each
// incoming message to the function of the first filter it matches. It
// returns once the connection is up, or fails when ctx ends first.
func Dial(ctx context.Context, opts Options, subs map[string]func(fetch.Message)) (*Conn, error) {
	u, err := url.Parse(opts.Broker)
	if err != nil || (u.Scheme != "mqtt" && u.Scheme != "mqtts") || u.Host == "" {
		return nil, fmt.Errorf("fetchmqtt.Dial: broker %q: want mqtt://host:port or mqtts://host:port", opts.Broker)
	}
	if opts.ClientID == "" {
		return nil, errors.New("fetchmqtt.Dial: no client id")
	}
	if opts.KeepAlive <= 0 {
		opts.KeepAlive = 30 * time.Second
	}
	if opts.PublishTimeout <= 0 {
		opts.PublishTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	tlsCfg, err := tlsConfig(u, opts.CAFile)
	if err != nil {
		return nil, fmt.Errorf("fetchmqtt.Dial: %w", err)
	}
	c := &Conn{timeout: opts.PublishTimeout, log: opts.Logger}
	for f, fn := range subs {
		c.routes = append(c.routes, route{filter: f, fn: fn})
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	bo := backoff.New(200*time.Millisecond, 30*time.Second, 0.2)
	cfg := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		TlsCfg:                        tlsCfg,
		KeepAlive:                     uint16(opts.KeepAlive / time.Second),
		CleanStartOnInitialConnection: true,
		ReconnectBackoff: func(attempt int) time.Duration {
			if attempt == 0 {
				bo.Reset()
				return 0
			}
			return bo.Next()
		},
		ConnectTimeout:    10 * time.Second,
		AttemptConnection: c.dial,
		ConnectUsername:   opts.Username,
		ConnectPassword:   []byte(opts.Password),
		OnConnectionUp: func(cm *autopaho.ConnectionManager, _ *paho.Connack) {
			c.wg.Go(func() { c.subscribe(cm, c.filters()) })
		},
		OnConnectError: func(err error) { opts.Logger.Warn("mqtt connect", "broker", opts.Broker, "err", err) },
		ClientConfig: paho.ClientConfig{
			ClientID:      opts.ClientID,
			PacketTimeout: opts.PublishTimeout,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				c.dispatch(fetch.Message{Topic: pr.Packet.Topic, Payload: pr.Packet.Payload, Retain: pr.Packet.Retain})
				return true, nil
			}},
			OnClientError: func(err error) { opts.Logger.Warn("mqtt connection lost", "err", err) },
		},
	}
	cm, err := autopaho.NewConnection(c.ctx, cfg)
	if err != nil {
		c.cancel()
		return nil, fmt.Errorf("fetchmqtt.Dial: %w", err)
	}
	c.cm = cm
	if err := cm.AwaitConnection(ctx); err != nil {
		c.Close(context.Background())
		return nil, fmt.Errorf("fetchmqtt.Dial %s: %w", opts.Broker, err)
	}
	return c, nil
}

func tlsConfig(u *url.URL, caFile string) (*tls.Config, error) {
	if u.Scheme != "mqtts" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
		}
	}
	return cfg, nil
}

func (c *Conn) dial(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	var (
		conn net.Conn
		err  error
	)
	d := &net.Dialer{Timeout: cfg.ConnectTimeout}
	if u.Scheme == "mqtts" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: cfg.TlsCfg}).DialContext(ctx, "tcp", u.Host)
	} else {
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	}
	if err != nil {
		return nil, err
	}
	return packets.NewThreadSafeConn(&mqttutil.CountingConn{Conn: conn, Sent: &c.sent, Recv: &c.recv}), nil
}

// Subscribe adds a subscription with QoS 1: now, when connected, and again
// on every reconnect. fn runs on the client's goroutine and must not block
// for long. Filters are matched in the order they were added.
func (c *Conn) Subscribe(filter string, fn func(fetch.Message)) {
	c.mu.Lock()
	c.routes = append(c.routes, route{filter: filter, fn: fn})
	c.mu.Unlock()
	if c.cm != nil {
		c.subscribe(c.cm, []string{filter})
	}
}

// filters lists the subscribed filters.
func (c *Conn) filters() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var fs []string
	for _, r := range c.routes {
		fs = append(fs, r.filter)
	}
	return fs
}

// subscribe subscribes to filters (on a new connection: to all of them).
func (c *Conn) subscribe(cm *autopaho.ConnectionManager, filters []string) {
	if len(filters) == 0 {
		return
	}
	s := &paho.Subscribe{}
	for _, f := range filters {
		s.Subscriptions = append(s.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1, NoLocal: true})
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	defer cancel()
	sa, err := cm.Subscribe(ctx, s)
	if err != nil {
		c.log.Warn("mqtt subscribe", "filters", filters, "err", err)
		return
	}
	for i, rc := range sa.Reasons {
		if rc >= 0x80 && i < len(filters) {
			c.log.Warn("mqtt subscribe refused", "filter", filters[i], "reason_code", rc)
		}
	}
}

func (c *Conn) dispatch(m fetch.Message) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, r := range c.routes {
		if Match(r.filter, m.Topic) {
			r.fn(m)
			return
		}
	}
}

// Publish sends m with QoS 1 and waits for the broker's acknowledgement.
func (c *Conn) Publish(ctx context.Context, m fetch.Message) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.cm.Publish(ctx, &paho.Publish{Topic: m.Topic, Payload: m.Payload, Retain: m.Retain, QoS: 1})
	if err != nil {
		return fmt.Errorf("fetchmqtt.Publish %s: %w", m.Topic, err)
	}
	if resp != nil && resp.ReasonCode >= 0x80 {
		return fmt.Errorf("fetchmqtt.Publish %s: broker refused with reason code 0x%02x", m.Topic, resp.ReasonCode)
	}
	return nil
}

// WireBytes returns the bytes sent and received on the network so far.
func (c *Conn) WireBytes() (sent, received int64) { return c.sent.Load(), c.recv.Load() }

// Close disconnects and waits for the connection's goroutines.
func (c *Conn) Close(ctx context.Context) error {
	var err error
	if c.cm != nil {
		err = c.cm.Disconnect(ctx)
	}
	c.cancel()
	c.wg.Wait()
	if err != nil && !errors.Is(err, autopaho.ConnectionDownError) {
		return fmt.Errorf("fetchmqtt.Close: %w", err)
	}
	return nil
}

// Match reports whether topic matches the MQTT topic filter (with + and #).
func Match(filter, topic string) bool { return mqttutil.MatchTopic(filter, topic) }
