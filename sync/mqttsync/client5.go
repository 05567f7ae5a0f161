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

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"

	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// willDelay is the MQTT 5 Will Delay Interval.
const willDelay = 5 * time.Second

// client5 is the MQTT 5 client (paho.golang autopaho).
type client5 struct {
	opts    ClientOptions
	cfg     autopaho.ClientConfig
	cm      *autopaho.ConnectionManager
	maxPkt  atomic.Int64
	sent    atomic.Int64
	recv    atomic.Int64
	timeout time.Duration
	ctx     context.Context // set by Start; ends subscriptions in flight
	wg      sync.WaitGroup  // subscription goroutines, waited for by Close
}

func newClient5(opts ClientOptions) (*client5, error) {
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
	cl := &client5{opts: opts, timeout: c.PublishTimeout}
	bo := backoff.New(c.RetryMin, c.RetryMax, 0.2)
	maxIn := uint32(c.MaxIncomingBytes)
	cl.cfg = autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		TlsCfg:                        tlsCfg,
		KeepAlive:                     uint16(c.KeepAlive / time.Second),
		CleanStartOnInitialConnection: false,
		SessionExpiryInterval:         uint32(c.SessionExpiry / time.Second),
		ReconnectBackoff: func(attempt int) time.Duration {
			if attempt == 0 {
				bo.Reset()
				return 0
			}
			return bo.Next()
		},
		ConnectTimeout:    10 * time.Second,
		AttemptConnection: cl.dial,
		ConnectUsername:   c.Username,
		ConnectPassword:   []byte(pw),
		ConnectPacketBuilder: func(cp *paho.Connect, _ *url.URL) (*paho.Connect, error) {
			if cp.Properties == nil {
				cp.Properties = &paho.ConnectProperties{}
			}
			cp.Properties.MaximumPacketSize = &maxIn
			return cp, nil
		},
		OnConnectionUp: func(cm *autopaho.ConnectionManager, ca *paho.Connack) {
			cl.maxPkt.Store(0)
			if ca.Properties != nil && ca.Properties.MaximumPacketSize != nil {
				cl.maxPkt.Store(int64(*ca.Properties.MaximumPacketSize))
			}
			// Subscribing blocks on the SUBACK: do it off the callback.
			cl.wg.Go(func() { cl.subscribe(cm) })
			opts.OnConnect()
		},
		OnConnectError: func(err error) { opts.OnError(explainConnectError(c, err)) },
		ClientConfig: paho.ClientConfig{
			ClientID:      c.ClientID,
			PacketTimeout: c.PublishTimeout,
			OnPublishReceived: []func(paho.PublishReceived) (bool, error){func(pr paho.PublishReceived) (bool, error) {
				opts.OnMessage(Message{Topic: pr.Packet.Topic, Payload: pr.Packet.Payload, Retain: pr.Packet.Retain})
				return true, nil
			}},
			OnClientError: func(err error) { opts.OnError(fmt.Errorf("connection lost: %w", err)) },
			OnServerDisconnect: func(d *paho.Disconnect) {
				opts.OnError(fmt.Errorf("broker disconnected: reason code 0x%02x", d.ReasonCode))
			},
		},
	}
	if w := opts.Will; w != nil {
		cl.cfg.WillMessage = &paho.WillMessage{Topic: w.Topic, Payload: w.Payload, QoS: 1, Retain: w.Retain}
		// A short will delay keeps the status from flapping to offline when
		// the client reconnects at once (mosquitto 2.0 drops a v5 client
		// after refusing its publish, for one).
		delay := uint32(willDelay / time.Second)
		cl.cfg.WillProperties = &paho.WillProperties{WillDelayInterval: &delay}
	}
	return cl, nil
}

// subscribe (re)subscribes on a new connection. With a resumed session the
// broker already has the subscriptions; subscribing again is harmless.
func (cl *client5) subscribe(cm *autopaho.ConnectionManager) {
	if len(cl.opts.Subscribe) == 0 {
		return
	}
	s := &paho.Subscribe{}
	for _, f := range cl.opts.Subscribe {
		s.Subscriptions = append(s.Subscriptions, paho.SubscribeOptions{Topic: f, QoS: 1, NoLocal: true})
	}
	ctx, cancel := context.WithTimeout(cl.ctx, cl.timeout)
	defer cancel()
	sa, err := cm.Subscribe(ctx, s)
	if err != nil {
		cl.opts.OnError(fmt.Errorf("subscribe %v: %w", cl.opts.Subscribe, err))
		return
	}
	for i, rc := range sa.Reasons {
		if rc >= 0x80 && i < len(cl.opts.Subscribe) {
			cl.opts.OnError(fmt.Errorf("subscribe %q: broker refused with reason code 0x%02x", cl.opts.Subscribe[i], rc))
		}
	}
}

func (cl *client5) dial(ctx context.Context, cfg autopaho.ClientConfig, u *url.URL) (net.Conn, error) {
	var (
		conn net.Conn
		err  error
	)
	if u.Scheme == "mqtts" {
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: cfg.ConnectTimeout}, Config: cfg.TlsCfg}
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	} else {
		d := net.Dialer{Timeout: cfg.ConnectTimeout}
		conn, err = d.DialContext(ctx, "tcp", u.Host)
	}
	if err != nil {
		return nil, err
	}
	return packets.NewThreadSafeConn(&mqttutil.CountingConn{Conn: conn, Sent: &cl.sent, Recv: &cl.recv}), nil
}

func (cl *client5) Start(ctx context.Context) error {
	cl.ctx = ctx
	cm, err := autopaho.NewConnection(ctx, cl.cfg)
	if err != nil {
		return fmt.Errorf("mqttsync.Client.Start: %w", err)
	}
	cl.cm = cm
	return nil
}

func (cl *client5) AwaitConnection(ctx context.Context) error {
	return cl.cm.AwaitConnection(ctx)
}

func (cl *client5) Publish(ctx context.Context, m Message) error {
	ctx, cancel := context.WithTimeout(ctx, cl.timeout)
	defer cancel()
	resp, err := cl.cm.Publish(ctx, &paho.Publish{Topic: m.Topic, Payload: m.Payload, Retain: m.Retain, QoS: 1})
	if resp != nil && resp.ReasonCode >= 0x80 {
		reason := reasonText(resp.ReasonCode)
		if resp.Properties != nil && resp.Properties.ReasonString != "" {
			reason += ": " + resp.Properties.ReasonString
		}
		return &RejectedError{Topic: m.Topic, Code: resp.ReasonCode, Reason: reason}
	}
	if errors.Is(err, autopaho.ConnectionDownError) {
		return ErrNotConnected
	}
	return err
}

func (cl *client5) MaxPacketSize() int { return int(cl.maxPkt.Load()) }

func (cl *client5) Protocol() string { return ProtocolV5 }

func (cl *client5) WireBytes() (int64, int64) { return cl.sent.Load(), cl.recv.Load() }

func (cl *client5) Close(ctx context.Context) error {
	if cl.cm == nil {
		return nil
	}
	err := cl.cm.Disconnect(ctx)
	cl.wg.Wait()
	if err != nil {
		return fmt.Errorf("mqttsync.Client.Close: %w", err)
	}
	return nil
}
