package mqttsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// onMessage runs on the client's goroutine: it applies the size and rate
// caps and hands the message to commandLoop without blocking.
func (s *Syncer) onMessage(m Message) {
	if s.subscribed(m) {
		return
	}
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
		if h, ok := s.handler(cmd.Name); ok {
			result, err = h(ctx, cmd)
		} else {
			label = "unknown"
			err = fmt.Errorf("%w %q: known commands are %s", ErrUnknownCommand, cmd.Name, strings.Join(s.Commands(), ", "))
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

// HandlerFunc answers one command. Its result is encoded as JSON in the
// reply; an error is sent as the reply's error. It runs on the syncer's
// command goroutine, one command at a time, and should return promptly
// (start long work in its owner's goroutine and report progress elsewhere).
type HandlerFunc func(ctx context.Context, cmd Command) (result any, err error)

// Handle registers the handler for the command name (lowercase letters,
// digits, '_', '-' and '/'). The agent and each feature register their own
// commands before Run; Handle panics on an invalid or duplicate name, which
// is a programming error.
func (s *Syncer) Handle(name string, fn HandlerFunc) {
	if err := validName(name); err != nil {
		panic("mqttsync.Handle: " + err.Error())
	}
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if _, dup := s.handlers[name]; dup {
		panic("mqttsync.Handle: command " + name + " registered twice")
	}
	s.handlers[name] = fn
}

// Commands lists the registered command names, sorted.
func (s *Syncer) Commands() []string {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	return slices.Sorted(maps.Keys(s.handlers))
}

func (s *Syncer) handler(name string) (HandlerFunc, bool) {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	h, ok := s.handlers[name]
	return h, ok
}

// handleBuiltins registers the commands about the sync itself.
func (s *Syncer) handleBuiltins() {
	s.Handle(CmdPing, func(context.Context, Command) (any, error) {
		return map[string]any{"pong": true, "device_id": s.cfg.DeviceID}, nil
	})
	s.Handle(CmdStatus, func(context.Context, Command) (any, error) {
		return map[string]any{"status": s.status("online"), "health": s.Health()}, nil
	})
	s.Handle(CmdOutboxStats, func(context.Context, Command) (any, error) {
		st, ok := s.q.(statser)
		if !ok {
			return nil, errors.New("outbox/stats: the queue reports no statistics")
		}
		return st.Stats(), nil
	})
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
