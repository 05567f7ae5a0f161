package agent

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/fovea-edge/fovea/sync/mqttsync"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// newSyncer prepares MQTT sync over box when the configuration has an
// mqtt section; it returns nil otherwise.
func (a *Agent) newSyncer(box *outbox.Outbox) (*mqttsync.Syncer, error) {
	if a.cfg.MQTT == nil {
		return nil, nil
	}
	s, err := mqttsync.New(mqttsync.Options{
		Config:     a.cfg.MQTT.SyncConfig(),
		Queue:      box,
		Logger:     a.log,
		Registerer: a.metrics.reg,
		Telemetry:  func() any { return a.Telemetry() },
		Status: func() mqttsync.StatusInfo {
			ref := a.models.Active().Ref
			v := ref.Version
			if v == "" {
				v = ref.SHA256
			}
			return mqttsync.StatusInfo{AgentVersion: Version, ModelVersion: ref.Name + "@" + v}
		},
	})
	if err != nil {
		return nil, err
	}
	a.handleCommands(s)
	for _, fn := range a.syncHooks {
		fn(s)
	}
	return s, nil
}

// OnSyncer registers fn to be called with the syncer before it runs, so a
// feature (OTA, monitoring) can Handle its commands and Subscribe its
// topics. Call it from New or before Run; without an mqtt section fn is
// never called.
func (a *Agent) OnSyncer(fn func(*mqttsync.Syncer)) { a.syncHooks = append(a.syncHooks, fn) }

// Syncer returns the running MQTT syncer, nil without an mqtt section or
// outside Run.
func (a *Agent) Syncer() *mqttsync.Syncer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.syncer
}

// Agent commands, answered over MQTT beside the syncer's own (ping,
// status, outbox/stats).
const (
	CmdConfigGet = "config/get"
	CmdSnapshot  = "snapshot"
)

// handleCommands registers the agent's MQTT commands.
func (a *Agent) handleCommands(s *mqttsync.Syncer) {
	s.Handle(CmdConfigGet, func(context.Context, mqttsync.Command) (any, error) {
		return map[string]any{"agent": a.cfg.Redacted()}, nil
	})
	s.Handle(CmdSnapshot, func(context.Context, mqttsync.Command) (any, error) {
		r, ok := a.latestJSON()
		if !ok {
			return nil, errors.New("snapshot: no result yet")
		}
		return r, nil
	})
}

// latestJSON returns the newest result over all cameras, for the snapshot
// command.
func (a *Agent) latestJSON() (json.RawMessage, bool) {
	var best *resultView
	for _, c := range a.cams {
		c.mu.Lock()
		l := c.latest
		c.mu.Unlock()
		if l != nil && (best == nil || l.OutboxSeq > best.OutboxSeq) {
			best = l
		}
	}
	if best == nil {
		return nil, false
	}
	b, err := json.Marshal(best)
	if err != nil {
		return nil, false
	}
	return b, true
}
