package mqttsync

import (
	"context"
	"encoding/json"
	"time"
)

// telemetryLoop publishes the retained online status after every
// connection and the telemetry every MetricsInterval. It runs beside the
// drain loop, so a large backlog never delays it.
func (s *Syncer) telemetryLoop(ctx context.Context) {
	tick := time.NewTicker(s.cfg.MetricsInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.statusDue:
			if s.Health().Connected {
				s.publishStatus(ctx)
			}
		case <-tick.C:
			if s.Health().Connected {
				s.publishTelemetry(ctx)
			}
		}
	}
}

func (s *Syncer) publishStatus(ctx context.Context) {
	payload, err := json.Marshal(s.status("online"))
	if err != nil {
		s.log.Error("encode status", "err", err)
		return
	}
	if err := s.publish(ctx, "status", Message{Topic: s.topics.status, Payload: payload, Retain: true}); err != nil && ctx.Err() == nil {
		s.log.Warn("publish status", "err", err)
	}
}

// Telemetry returns the payload the metrics topic carries now: the sync's
// own counters and the agent's snapshot (which owns everything else,
// the outbox included, so each figure appears once).
func (s *Syncer) Telemetry() Telemetry {
	t := Telemetry{V: PayloadVersion, DeviceID: s.cfg.DeviceID, Sync: s.Health().SyncStats}
	if s.opts.Telemetry != nil {
		t.Agent = s.opts.Telemetry()
	}
	return t
}

func (s *Syncer) publishTelemetry(ctx context.Context) {
	payload, err := json.Marshal(s.Telemetry())
	if err != nil {
		s.log.Error("encode telemetry", "err", err)
		return
	}
	if err := s.publish(ctx, "metrics", Message{Topic: s.topics.metrics, Payload: payload}); err != nil && ctx.Err() == nil {
		s.log.Warn("publish telemetry", "err", err)
	}
}
