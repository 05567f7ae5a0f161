package camera

import (
	"log/slog"
	"time"
)

// Defaults for Options fields left zero; WithDefaults is the one place they
// are applied.
const (
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
	DefaultTimeout      = 10 * time.Second
	// DefaultJitter spreads reconnect waits over ±20% so that many devices
	// that lost the same server do not retry in lockstep.
	DefaultJitter = 0.2
)

// WithDefaults returns o with every zero field that has a default filled
// in. Backends call it on the Options they are given.
func (o Options) WithDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = DefaultReconnectMin
	}
	if o.ReconnectMax <= 0 {
		o.ReconnectMax = DefaultReconnectMax
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = o.ReconnectMin
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}
