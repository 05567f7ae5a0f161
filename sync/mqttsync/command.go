package mqttsync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Commands the Syncer answers itself. Others (config/get, snapshot, model
// and OTA commands, feedback) are registered with Handle by their owners. A
// command arrives on <prefix>cmd/<name>; the reply goes to
// <prefix>cmd/<name>/reply.
const (
	CmdPing        = "ping"
	CmdStatus      = "status"
	CmdOutboxStats = "outbox/stats"
)

// Limits on incoming commands.
const (
	maxCommandName = 64
	maxCommandID   = 128
)

// errIsReply marks a message on a reply topic (our own replies echoed back
// by a 3.1.1 broker, or another device's): it is ignored, not answered.
var errIsReply = errors.New("reply topic")

// Command is a decoded request. The payload is empty or a JSON object:
// {"id": "…", "args": {…}}; id (at most 128 characters) is echoed in the
// reply so the sender can match them.
type Command struct {
	Name string          `json:"-"`
	ID   string          `json:"id,omitempty"`
	Args json.RawMessage `json:"args,omitempty"`
}

// Reply is the payload of <prefix>cmd/<name>/reply.
type Reply struct {
	V      int    `json:"v"`
	ID     string `json:"id,omitempty"`
	OK     bool   `json:"ok"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// DecodeCommand decodes a message on topic (under prefix) with payload,
// refusing payloads over maxBytes. The name is returned even when the
// payload is bad (when it is a valid name), so the caller can reply.
func DecodeCommand(prefix, topic string, payload []byte, maxBytes int) (Command, error) {
	rest, ok := strings.CutPrefix(topic, prefix+"cmd/")
	if !ok {
		return Command{}, fmt.Errorf("mqttsync.DecodeCommand: %w: topic %q is not under %q", ErrBadCommand, topic, prefix+"cmd/")
	}
	if rest == "reply" || strings.HasSuffix(rest, "/reply") {
		return Command{}, errIsReply
	}
	if err := validName(rest); err != nil {
		return Command{}, fmt.Errorf("mqttsync.DecodeCommand: %w: %v", ErrBadCommand, err)
	}
	c := Command{Name: rest}
	if len(payload) > maxBytes {
		return c, fmt.Errorf("mqttsync.DecodeCommand: %w: payload of %d bytes exceeds the limit of %d bytes", ErrBadCommand, len(payload), maxBytes)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		return c, nil
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var body Command
	if err := dec.Decode(&body); err != nil {
		return c, fmt.Errorf("mqttsync.DecodeCommand: %w: payload must be empty or a JSON object {\"id\":…,\"args\":{…}}: %v", ErrBadCommand, err)
	}
	if dec.More() {
		return c, fmt.Errorf("mqttsync.DecodeCommand: %w: trailing data after the JSON object", ErrBadCommand)
	}
	if len(body.ID) > maxCommandID || !utf8.ValidString(body.ID) {
		return c, fmt.Errorf("mqttsync.DecodeCommand: %w: id must be valid UTF-8 of at most %d bytes", ErrBadCommand, maxCommandID)
	}
	c.ID = body.ID
	if a := bytes.TrimSpace(body.Args); len(a) > 0 && a[0] != '{' && !bytes.Equal(a, []byte("null")) {
		return c, fmt.Errorf("mqttsync.DecodeCommand: %w: args must be a JSON object", ErrBadCommand)
	}
	c.Args = body.Args
	return c, nil
}

// validName accepts command names made of lowercase letters, digits, '_',
// '-' and '/' separators between non-empty parts.
func validName(name string) error {
	if name == "" || len(name) > maxCommandName {
		return fmt.Errorf("command name must have 1 to %d characters", maxCommandName)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" {
			return fmt.Errorf("command name %q has an empty part", name)
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return fmt.Errorf("command name %q may only use a-z, 0-9, '_', '-' and '/'", name)
			}
		}
	}
	return nil
}
