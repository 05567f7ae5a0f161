package mqttsync

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/internal/base/mqttutil"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// client311 is the MQTT 3.1.1 client (paho.mqtt.golang), for brokers that
// do not speak MQTT 5. MQTT 3.1.1 has no PUBACK reason codes: a broker that
// drops a publish (mosquitto does so for ACL denials) still acknowledges it.
type client311 struct {
	opts       ClientOptions
	cli        mqtt.Client
	sent, recv atomic.Int64
	timeout    time.Duration

	mu        sync.Mutex    // guards connected
	connected chan struct{} // closed while the connection is up
}

func newClient311(opts ClientOptions) (*client311, error) {
	c := opts.Config
	u := c.Broker
	tlsCfg, err := tlsConfig(c)
	if err != nil {
		return nil, fmt.Errorf("mqttsync.NewClient: %w", err)
	}
	pw, err := c.password()
	if err != nil {
		return nil, fmt.Errorf("mqttsync.NewClient: %w", err)
	}
	cl := &client311{opts: opts, timeout: c.PublishTimeout, connected: make(chan struct{})}
	scheme := "tcp"
	if u.Scheme == "mqtts" {
		scheme = "ssl"
	}
	o := mqtt.NewClientOptions().
		AddBroker(scheme + "://" + u.Host).
		SetProtocolVersion(4).
		SetClientID(c.ClientID).
		SetUsername(c.Username).
		SetPassword(pw).
		SetCleanSession(c.SessionExpiry == 0).
		SetKeepAlive(c.KeepAlive).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(c.RetryMin).
		SetMaxReconnectInterval(c.RetryMax).
		SetConnectTimeout(10 * time.Second).
		SetOrderMatters(false).
		SetCustomOpenConnectionFn(func(uri *url.URL, o mqtt.ClientOptions) (net.Conn, error) {
			return cl.dial(uri, tlsCfg, o.ConnectTimeout)
		}).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			opts.OnMessage(Message{Topic: m.Topic(), Payload: m.Payload(), Retain: m.Retained()})
		}).
		SetOnConnectHandler(func(mc mqtt.Client) {
			cl.mu.Lock()
			select {
			case <-cl.connected:
			default:
				close(cl.connected)
			}
			cl.mu.Unlock()
			cl.subscribe(mc)
			opts.OnConnect()
		}).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			cl.mu.Lock()
			select {
			case <-cl.connected:
				cl.connected = make(chan struct{})
			default:
			}
			cl.mu.Unlock()
			opts.OnError(fmt.Errorf("connection lost: %w", err))
		}).
		SetConnectionNotificationHandler(func(_ mqtt.Client, n mqtt.ConnectionNotification) {
			if f, ok := n.(mqtt.ConnectionNotificationFailed); ok {
				opts.OnError(explainConnectError(c, f.Reason))
			}
		})
	if w := opts.Will; w != nil {
		o.SetBinaryWill(w.Topic, w.Payload, 1, w.Retain)
	}
	cl.cli = mqtt.NewClient(o)
	return cl, nil
}

func (cl *client311) dial(uri *url.URL, tlsCfg *tls.Config, timeout time.Duration) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	var (
		conn net.Conn
		err  error
	)
	if uri.Scheme == "ssl" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).Dial("tcp", uri.Host)
	} else {
		conn, err = d.Dial("tcp", uri.Host)
	}
	if err != nil {
		return nil, err
	}
	return &mqttutil.CountingConn{Conn: conn, Sent: &cl.sent, Recv: &cl.recv}, nil
}

func (cl *client311) subscribe(mc mqtt.Client) {
	for _, f := range cl.opts.Subscribe {
		tok := mc.Subscribe(f, 1, nil)
		if !tok.WaitTimeout(cl.timeout) {
			cl.opts.OnError(fmt.Errorf("subscribe %q: no SUBACK within %v", f, cl.timeout))
			continue
		}
		if err := tok.Error(); err != nil {
			cl.opts.OnError(fmt.Errorf("subscribe %q: %w", f, err))
		}
	}
}

func (cl *client311) Start(ctx context.Context) error {
	// With SetConnectRetry the token completes only on success; the
	// client keeps retrying in its own goroutines until Close.
	cl.cli.Connect()
	return nil
}

func (cl *client311) AwaitConnection(ctx context.Context) error {
	cl.mu.Lock()
	ch := cl.connected
	cl.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (cl *client311) Publish(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, cl.timeout)
	defer cancel()
	tok := cl.cli.Publish(m.Topic, 1, m.Retain, m.Payload)
	select {
	case <-tok.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := tok.Error(); err != nil {
		if errors.Is(err, mqtt.ErrNotConnected) {
			return ErrNotConnected
		}
		return err
	}
	return nil
}

func (cl *client311) MaxPacketSize() int { return 0 }

func (cl *client311) Protocol() string { return ProtocolV311 }

func (cl *client311) WireBytes() (int64, int64) { return cl.sent.Load(), cl.recv.Load() }

func (cl *client311) Close(ctx context.Context) error {
	// Disconnect waits at most the quiesce time for work in flight.
	quiesce := uint(250)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 250*time.Millisecond {
		quiesce = uint(max(time.Until(dl), 0) / time.Millisecond)
	}
	cl.cli.Disconnect(quiesce)
	return nil
}
