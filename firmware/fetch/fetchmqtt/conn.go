// Package fetchmqtt connects package fetch's chunked transfer to a plain
// MQTT connection (sync/mqttsync's paho client), for the operator's CLI,
// which has no Syncer, and for tests. On the device the agent adapts its
// Syncer instead.
package fetchmqtt

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// Conn is an MQTT connection kept up in the background; it implements
// fetch.Publisher.
type Conn struct {
	c      mqttsync.Client
	routes []route
}

type route struct {
	filter string
	fn     func(fetch.Message)
}

// Dial connects to cfg.Broker, subscribes to the filters of subs (again on
// every reconnect) and hands each incoming message to the function of the
// first filter it matches. It returns once the connection is up, or fails
// when ctx ends first.
func Dial(ctx context.Context, cfg mqttsync.Config, subs map[string]func(fetch.Message), logger *slog.Logger) (*Conn, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("fetchmqtt.Dial: %w", err)
	}
	c := &Conn{}
	var filters []string
	for f, fn := range subs {
		filters = append(filters, f)
		c.routes = append(c.routes, route{filter: f, fn: fn})
	}
	cl, err := mqttsync.NewClient(mqttsync.ClientOptions{
		Config:    cfg,
		Subscribe: filters,
		OnMessage: c.dispatch,
		OnError:   func(err error) { logger.Warn("mqtt", "err", err) },
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("fetchmqtt.Dial: %w", err)
	}
	c.c = cl
	if err := cl.Start(ctx); err != nil {
		return nil, fmt.Errorf("fetchmqtt.Dial: %w", err)
	}
	if err := cl.AwaitConnection(ctx); err != nil {
		_ = cl.Close(context.Background())
		return nil, fmt.Errorf("fetchmqtt.Dial %s: %w", cfg.Broker, err)
	}
	return c, nil
}

func (c *Conn) dispatch(m mqttsync.Message) {
	for _, r := range c.routes {
		if Match(r.filter, m.Topic) {
			r.fn(fetch.Message{Topic: m.Topic, Payload: m.Payload, Retain: m.Retain})
			return
		}
	}
}

// Publish sends m with QoS 1 and waits for the broker's acknowledgement.
func (c *Conn) Publish(ctx context.Context, m fetch.Message) error {
	return c.c.Publish(ctx, mqttsync.Message{Topic: m.Topic, Payload: m.Payload, Retain: m.Retain})
}

// WireBytes returns the bytes sent and received on the network so far.
func (c *Conn) WireBytes() (sent, received int64) { return c.c.WireBytes() }

// Close disconnects.
func (c *Conn) Close(ctx context.Context) error { return c.c.Close(ctx) }

// Match reports whether topic matches the MQTT topic filter (with + and #).
func Match(filter, topic string) bool {
	fs, ts := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, f := range fs {
		if f == "#" {
			return true
		}
		if i >= len(ts) || (f != "+" && f != ts[i]) {
			return false
		}
	}
	return len(fs) == len(ts)
}
