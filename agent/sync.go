package agent

import (
	"encoding/json"

	"github.com/fovea-edge/fovea/sync/mqttsync"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// newSyncer prepares MQTT sync over box when the configuration has an
// mqtt section; it returns nil otherwise.
func (a *Agent) newSyncer(box *outbox.Outbox) (*mqttsync.Syncer, error) {
	if a.cfg.MQTT == nil {
		return nil, nil
	}
	return mqttsync.New(mqttsync.Options{
		Config:      *a.cfg.MQTT,
		Queue:       box,
		Logger:      a.log,
		Registerer:  a.metrics.reg,
		Telemetry:   func() any { return a.Telemetry() },
		Latest:      a.latestJSON,
		AgentConfig: func() any { return a.cfg.Redacted() },
		Status: func() mqttsync.StatusInfo {
			v := a.info.Version
			if v == "" {
				v = a.info.SHA256
			}
			return mqttsync.StatusInfo{AgentVersion: Version, ModelVersion: a.info.Name + "@" + v}
		},
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
