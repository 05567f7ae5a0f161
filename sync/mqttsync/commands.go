package mqttsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// onMessage runs on the client's goroutine: it applies the size and rate
// caps and hands the message to commandLoop without blocking.
func (s *Syncer) onMessage(m Message) {
	if !strings.HasPrefix(m.Topic, s.cfg.TopicPrefix+"cmd/") || strings.HasSuffix(m.Topic, "/reply") {
		return // our own replies (3.1.1 has no No Local) or stray topics
	}
	if !s.limiter.allow(time.Now()) {
		s.m.commandsDropped.WithLabelValues("rate").Inc()
		s.noteCommandDrop("rate limit", m)
		return
	}
	select {
	case s.cmdIn <- m:
	default:
		s.m.commandsDropped.WithLabelValues("queue_full").Inc()
		s.noteCommandDrop("command queue full", m)
	}
}

func (s *Syncer) noteCommandDrop(why string, m Message) {
	s.updateHealth(func(h *Health) { h.CmdDropped++ })
	s.log.Warn("command dropped", "why", why, "topic", truncate(m.Topic, 128), "bytes", len(m.Payload))
}

// commandLoop answers commands one at a time until ctx ends.
func (s *Syncer) commandLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.cmdIn:
			s.handleCommand(ctx, m)
		}
	}
}

func (s *Syncer) handleCommand(ctx context.Context, m Message) {
	cmd, err := DecodeCommand(s.cfg.TopicPrefix, m.Topic, m.Payload, s.cfg.MaxIncomingBytes)
	if errors.Is(err, errIsReply) {
		return
	}
	if cmd.Name == "" { // no valid name: nowhere sensible to reply
		s.m.commandsDropped.WithLabelValues("invalid_topic").Inc()
		s.noteCommandDrop(err.Error(), m)
		return
	}
	label := cmd.Name
	var result any
	if err == nil {
		if h, ok := s.handlers()[cmd.Name]; ok {
			result, err = h(cmd)
		} else {
			label = "unknown"
			err = fmt.Errorf("%w %q: known commands are ping, status, config/get, snapshot, outbox/stats", ErrUnknownCommand, cmd.Name)
		}
	}
	r := Reply{V: PayloadVersion, ID: cmd.ID, OK: err == nil, Result: result}
	outcome := "ok"
	if err != nil {
		r.Error, outcome = err.Error(), "error"
		s.log.Info("command refused", "command", cmd.Name, "err", err)
	}
	s.m.commands.WithLabelValues(label, outcome).Inc()
	payload, merr := json.Marshal(r)
	if merr != nil {
		payload, _ = json.Marshal(Reply{V: PayloadVersion, ID: cmd.ID, Error: "encode reply: " + merr.Error()})
	}
	if err := s.publish(ctx, "reply", Message{Topic: s.cfg.TopicPrefix + "cmd/" + cmd.Name + "/reply", Payload: payload}); err != nil && ctx.Err() == nil {
		s.log.Warn("publish command reply", "command", cmd.Name, "err", err)
	}
}

func (s *Syncer) handlers() map[string]func(Command) (any, error) {
	return map[string]func(Command) (any, error){
		CmdPing: func(Command) (any, error) {
			return map[string]any{"pong": true, "device_id": s.cfg.DeviceID}, nil
		},
		CmdStatus: func(Command) (any, error) {
			return map[string]any{"status": s.status("online"), "health": s.Health()}, nil
		},
		CmdConfigGet: func(Command) (any, error) {
			out := map[string]any{"mqtt": s.cfg.Redacted()}
			if s.opts.AgentConfig != nil {
				out["agent"] = s.opts.AgentConfig()
			}
			return out, nil
		},
		CmdSnapshot: func(Command) (any, error) {
			if s.opts.Latest == nil {
				return nil, errors.New("snapshot: this agent keeps no latest result")
			}
			r, ok := s.opts.Latest()
			if !ok {
				return nil, errors.New("snapshot: no result yet")
			}
			return r, nil
		},
		CmdOutboxStats: func(Command) (any, error) {
			st, ok := s.q.(statser)
			if !ok {
				return nil, errors.New("outbox/stats: the queue reports no statistics")
			}
			return st.Stats(), nil
		},
	}
}

// Redacted returns c with secrets replaced, for config/get.
func (c Config) Redacted() Config {
	if c.Password != "" {
		c.Password = "<redacted>"
	}
	return c
}

// tokenBucket is a small rate limiter for incoming commands.
type tokenBucket struct {
	mu     sync.Mutex // guards tokens, last
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate, burst float64) *tokenBucket {
	return &tokenBucket{rate: rate, burst: burst, tokens: burst}
}

func (b *tokenBucket) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
