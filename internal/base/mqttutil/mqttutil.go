// Package mqttutil holds the small MQTT helpers that the device's sync and
// the OTA transports share: topic filters and byte-counting connections.
// It imports no MQTT client, so either side may use it.
package mqttutil

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
)

// MatchTopic reports whether topic matches the MQTT topic filter, with
// '+' matching one level and '#' the rest (including the parent level:
// "a/#" matches "a").
func MatchTopic(filter, topic string) bool {
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		if !fmore || !tmore {
			return fmore == tmore || (fmore && frest == "#")
		}
		filter, topic = frest, trest
	}
}

// ValidFilter checks an MQTT topic filter: 1 to 1024 bytes, '#' only as
// the whole last level, '+' only as a whole level.
func ValidFilter(f string) error {
	if f == "" || len(f) > 1024 {
		return fmt.Errorf("topic filter must have 1 to 1024 bytes")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return fmt.Errorf("topic filter %q: '#' must be the last level", f)
		case l != "#" && l != "+" && strings.ContainsAny(l, "#+"):
			return fmt.Errorf("topic filter %q: wildcards must be whole levels", f)
		}
	}
	return nil
}

// CountingConn counts the bytes that cross a connection into Sent and
// Recv.
type CountingConn struct {
	net.Conn
	Sent, Recv *atomic.Int64
}

func (c *CountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.Recv.Add(int64(n))
	return n, err
}

func (c *CountingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.Sent.Add(int64(n))
	return n, err
}
