package mqttsync

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

func TestDeliversEveryRecord(t *testing.T) {
	tests := []struct {
		name     string
		protocol string
		gzip     bool
	}{
		{"v5", ProtocolV5, false},
		{"v5 gzip", ProtocolV5, true},
		{"v3.1.1", ProtocolV311, false},
		{"v3.1.1 gzip", ProtocolV311, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const n = 3000
			b := mosquittotest.Start(t, mosquittotest.Options{})
			snk := newSink(t, testConfig(b, ProtocolV5))
			ob, _ := openOutbox(t, outbox.Options{})
			appendN(t, ob, n)
			cfg := testConfig(b, tc.protocol)
			cfg.Gzip = tc.gzip
			var model atomic.Value
			model.Store("m1")
			s, stop := runSyncer(t, Options{Config: cfg, Queue: ob, Status: func() StatusInfo { return StatusInfo{AgentVersion: "test", ModelVersion: model.Load().(string)} }})
			waitFor(t, 30*time.Second, "every record at the subscriber", func() bool { m, _ := snk.missing(n); return m == 0 })
			waitFor(t, 10*time.Second, "outbox empty", func() bool { return ob.Stats().Count == 0 })
			st, ok := snk.lastStatus()
			if !ok || st.State != "online" || st.ModelVersion != "m1" || st.Protocol != tc.protocol {
				t.Errorf("last status = %+v, %v; want online, model m1, protocol %s", st, ok, tc.protocol)
			}
			h := s.Health()
			if !h.Connected || h.State != "ok" || h.Delivered != n || h.AckedSeq != n {
				t.Errorf("Health() = %+v; want connected, ok, %d delivered", h, n)
			}
			model.Store("m2")
			s.StatusChanged()
			waitFor(t, 5*time.Second, "status with the new model version", func() bool {
				st, _ := snk.lastStatus()
				return st.ModelVersion == "m2" && st.State == "online"
			})
			stop()
			waitFor(t, 5*time.Second, "offline status after shutdown", func() bool {
				st, _ := snk.lastStatus()
				return st.State == "offline"
			})
			_, dups := snk.missing(n)
			if dups != 0 {
				t.Errorf("duplicates = %d; want 0 without faults", dups)
			}
			if len(snk.bad) != 0 {
				t.Errorf("undecodable payloads: %v", snk.bad)
			}
		})
	}
}
