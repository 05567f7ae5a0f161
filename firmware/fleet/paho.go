package fleet

import (
	"context"
	"fmt"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Paho adapts a connected paho.mqtt.golang client to Broker.
func Paho(c mqtt.Client) Broker { return pahoBroker{c} }

type pahoBroker struct{ c mqtt.Client }

func wait(ctx context.Context, tok mqtt.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no answer from the broker in 30s")
	}
}

func (p pahoBroker) Publish(ctx context.Context, topic string, payload []byte, retain bool) error {
	return wait(ctx, p.c.Publish(topic, 1, retain, payload))
}

func (p pahoBroker) Subscribe(ctx context.Context, filter string, fn func(topic string, payload []byte)) error {
	return wait(ctx, p.c.Subscribe(filter, 1, func(_ mqtt.Client, m mqtt.Message) { fn(m.Topic(), m.Payload()) }))
}
