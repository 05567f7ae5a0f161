package mqttsync

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig reports an invalid MQTT configuration.
	ErrConfig = errors.New("invalid mqtt configuration")
	// ErrRejected reports a publish the broker refused (MQTT 5 PUBACK
	// reason code 0x80 or above): the message was not delivered.
	ErrRejected = errors.New("broker rejected the publish")
	// ErrNotConnected reports an operation attempted while the connection
	// to the broker is down.
	ErrNotConnected = errors.New("not connected to the broker")
	// ErrTooLarge reports a message or record larger than the maximum
	// packet size (the broker's or the configured one).
	ErrTooLarge = errors.New("larger than the maximum packet size")
	// ErrBadCommand reports a command message that is not valid.
	ErrBadCommand = errors.New("malformed command")
	// ErrUnknownCommand reports a command name this agent does not know.
	ErrUnknownCommand = errors.New("unknown command")
	// ErrBadPayload reports a results or status payload that cannot be decoded.
	ErrBadPayload = errors.New("malformed payload")
)

// RejectedError is a publish the broker answered with a PUBACK reason code
// of 0x80 or above (MQTT 5). It wraps ErrRejected.
type RejectedError struct {
	Topic  string
	Code   byte
	Reason string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("%v: publish to %q got PUBACK reason code 0x%02x (%s)", ErrRejected, e.Topic, e.Code, e.Reason)
}

func (e *RejectedError) Unwrap() error { return ErrRejected }

// reasonText names the PUBACK reason codes of MQTT 5 (section 3.4.2.1).
func reasonText(code byte) string {
	switch code {
	case 0x10:
		return "no matching subscribers"
	case 0x80:
		return "unspecified error"
	case 0x83:
		return "implementation specific error"
	case 0x87:
		return "not authorized"
	case 0x90:
		return "topic name invalid"
	case 0x91:
		return "packet identifier in use"
	case 0x97:
		return "quota exceeded"
	case 0x99:
		return "payload format invalid"
	}
	return "unknown reason"
}
