package mqttsync

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// TestBrokerMaxPacketSize: mosquitto announces max_packet_size in CONNACK;
// no results message exceeds it, and a record too large for any message
// arrives as an error entry instead of blocking the queue.
func TestBrokerMaxPacketSize(t *testing.T) {
	const limit, n = 8192, 600
	b := mosquittotest.Start(t, mosquittotest.Options{Extra: "max_packet_size 8192\n"})
	snk := newSink(t, testConfig(b, ProtocolV5))
	ob, _ := openOutbox(t, outbox.Options{})
	appendN(t, ob, n)
	big := `{"blob":"` + strings.Repeat("x", 3*limit) + `"}`
	bigSeq, err := ob.Append(context.Background(), []byte(big))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := ob.Append(context.Background(), []byte(`{"not json`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(b, ProtocolV5)
	cfg.BatchRecords = 1000
	s, _ := runSyncer(t, Options{Config: cfg, Queue: ob})
	waitFor(t, 20*time.Second, "every record", func() bool { m, _ := snk.missing(n + 2); return m == 0 })
	snk.mu.Lock()
	maxSize, msgs, errored := snk.maxSize, snk.resultMsg, append([]Result(nil), snk.errored...)
	snk.mu.Unlock()
	if maxSize > limit {
		t.Errorf("largest results payload = %d bytes; want <= broker max_packet_size %d", maxSize, limit)
	}
	if msgs < n*230/limit {
		t.Errorf("results messages = %d; want the backlog split into many (%d+)", msgs, n*230/limit)
	}
	if len(errored) != 2 || errored[0].Seq != bigSeq || !strings.Contains(errored[0].Error, "exceeds the message size limit") ||
		errored[1].Seq != bad || !strings.Contains(errored[1].Error, "not valid JSON") {
		t.Errorf("error entries = %+v; want seq %d (too large) and %d (not JSON)", errored, bigSeq, bad)
	}
	if h := s.Health(); h.Dropped != 2 {
		t.Errorf("Health().Dropped = %d; want 2", h.Dropped)
	}
}

// TestTelemetryNotStarvedByBacklog: with a large backlog drained through a
// rate cap, telemetry still goes out on time.
func TestTelemetryNotStarvedByBacklog(t *testing.T) {
	const n = 5000
	b := mosquittotest.Start(t, mosquittotest.Options{})
	snk := newSink(t, testConfig(b, ProtocolV5))
	ob, _ := openOutbox(t, outbox.Options{})
	appendN(t, ob, n)
	cfg := testConfig(b, ProtocolV5)
	cfg.RateBytesPerSecond = 50_000 // the backlog takes about 25 s
	cfg.MetricsInterval = 100 * time.Millisecond
	_, _ = runSyncer(t, Options{Config: cfg, Queue: ob, Telemetry: func() any { return map[string]float64{"fps": 15} }})
	waitFor(t, 20*time.Second, "5 telemetry messages", func() bool {
		snk.mu.Lock()
		defer snk.mu.Unlock()
		return len(snk.telemetry) >= 5
	})
	if c := ob.Stats().Count; c < n/2 {
		t.Errorf("outbox count = %d; the backlog should still be draining", c)
	}
	snk.mu.Lock()
	last := snk.telemetry[len(snk.telemetry)-1]
	snk.mu.Unlock()
	if last.DeviceID != "dev1" || last.V != PayloadVersion || last.Agent == nil {
		t.Errorf("telemetry = %+v; want device dev1, v1 and the agent snapshot", last)
	}
}
