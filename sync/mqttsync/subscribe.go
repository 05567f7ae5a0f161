package mqttsync

import (
	"context"
	"fmt"

	"github.com/fovea-edge/fovea/internal/base/mqttutil"
)

// subscription is one extra topic filter and the function its messages go
// to.
type subscription struct {
	filter string
	fn     func(Message)
}

// Subscribe adds a topic filter (absolute, with MQTT's + and # wildcards)
// that is subscribed with QoS 1 on every connection, beside the command
// topics: OTA deployments, chunked transfers and the like. Messages go to fn
// one at a time on a goroutine the Syncer owns; fn must not block for long.
// When fn falls behind by more than 64 messages, further ones are dropped
// and counted (fovea_mqtt_commands_dropped_total{reason="subscription_queue_full"}),
// so protocols built on Subscribe must tolerate loss (retained state,
// re-requests). Subscribe must be called before Run; it panics on an
// invalid filter or when Run has started, which are programming errors.
func (s *Syncer) Subscribe(filter string, fn func(Message)) {
	if err := mqttutil.ValidFilter(filter); err != nil {
		panic("mqttsync.Subscribe: " + err.Error())
	}
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if s.started {
		panic("mqttsync.Subscribe: called after Run")
	}
	s.subs = append(s.subs, subscription{filter: filter, fn: fn})
}

// Publish sends m now with QoS 1 (retained when m.Retain) and returns once
// the broker acknowledged it. It returns an error wrapping ErrNotConnected
// while the broker is away: callers that must not lose a message keep it
// and publish again (or publish retained state) after the next connection.
func (s *Syncer) Publish(ctx context.Context, m Message) error {
	cli := s.client()
	if cli == nil {
		return fmt.Errorf("mqttsync.Publish %s: %w", m.Topic, ErrNotConnected)
	}
	if err := s.publish(ctx, "app", m); err != nil {
		return fmt.Errorf("mqttsync.Publish %s: %w", m.Topic, err)
	}
	return nil
}

// Topic returns the device's topic for suffix: Topic("ota") is
// "fovea/<device>/ota" with the default prefix.
func (s *Syncer) Topic(suffix string) string { return s.cfg.TopicPrefix + suffix }

// subscribed reports whether m belongs to an extra subscription, and if
// so queues it for subscriptionLoop without blocking.
func (s *Syncer) subscribed(m Message) bool {
	matched := false
	for _, sub := range s.subs { // read-only after Run started
		if mqttutil.MatchTopic(sub.filter, m.Topic) {
			matched = true
			break
		}
	}
	if !matched {
		return false
	}
	select {
	case s.subIn <- m:
	default:
		s.m.commandsDropped.WithLabelValues("subscription_queue_full").Inc()
		s.log.Warn("subscription message dropped: handler too slow", "topic", truncate(m.Topic, 128), "bytes", len(m.Payload))
	}
	return true
}

// subscriptionLoop hands queued messages to their subscriptions' functions
// until ctx ends.
func (s *Syncer) subscriptionLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.subIn:
			for _, sub := range s.subs {
				if mqttutil.MatchTopic(sub.filter, m.Topic) {
					sub.fn(m)
				}
			}
		}
	}
}
