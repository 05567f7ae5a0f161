package mqttsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

func TestCommands(t *testing.T) {
	garbage := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	tests := []struct {
		name    string
		cmd     string
		payload []byte
		wantOK  bool
		want    string // substring of the reply's result (ok) or error
	}{
		{"ping", "ping", nil, true, `"pong":true`},
		{"ping with id", "ping", []byte(`{"id":"req-42"}`), true, `"pong":true`},
		{"status", "status", nil, true, `"state":"online"`},
		{"registered by the agent", "echo/args", []byte(`{"args":{"n":7}}`), true, `"n":7`},
		{"registered handler's error", "fail", nil, false, "nothing to fail"},
		{"outbox/stats", "outbox/stats", []byte(`{"args":{}}`), true, `"count":`},
		{"unknown command lists the registered ones", "reboot", nil, false, "known commands are echo/args, fail, outbox/stats, ping, status"},
		{"malformed JSON", "ping", []byte(`{"id":`), false, "malformed command"},
		{"unknown field", "ping", []byte(`{"id":"x","force":true}`), false, "unknown field"},
		{"args not an object", "ping", []byte(`{"args":[1]}`), false, "args must be a JSON object"},
		{"trailing data", "ping", []byte(`{} {}`), false, "trailing data"},
	}
	for _, protocol := range []string{ProtocolV5, ProtocolV311} {
		t.Run(protocol, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{})
			snk := newSink(t, testConfig(b, ProtocolV5))
			ob, _ := openOutbox(t, outbox.Options{})
			appendN(t, ob, 5)
			cfg := testConfig(b, protocol)
			cfg.Username, cfg.Password = "dev1", "hunter2"
			reg := prometheus.NewRegistry()
			_, _ = runSyncer(t, Options{Config: cfg, Queue: ob, Registerer: reg}, func(s *Syncer) {
				s.Handle("echo/args", func(_ context.Context, c Command) (any, error) { return c.Args, nil })
				s.Handle("fail", func(context.Context, Command) (any, error) { return nil, errors.New("nothing to fail") })
			})
			waitFor(t, 10*time.Second, "device online", func() bool { st, ok := snk.lastStatus(); return ok && st.State == "online" })
			time.Sleep(200 * time.Millisecond) // the device's SUBSCRIBE follows its status

			send := func(name string, payload []byte) (Reply, bool) {
				t.Helper()
				before := snk.replyCount(name)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := snk.cli.Publish(ctx, Message{Topic: "fovea/dev1/cmd/" + name, Payload: payload}); err != nil {
					t.Fatalf("publish command %s: %v", name, err)
				}
				deadline := time.Now().Add(5 * time.Second)
				for snk.replyCount(name) == before {
					if time.Now().After(deadline) {
						return Reply{}, false
					}
					time.Sleep(10 * time.Millisecond)
				}
				return snk.replyFor(name)
			}
			for _, tc := range tests {
				rep, ok := send(tc.cmd, tc.payload)
				if !ok {
					t.Errorf("%s: no reply", tc.name)
					continue
				}
				res, _ := json.Marshal(rep.Result)
				got := string(res)
				if !rep.OK {
					got = rep.Error
				}
				if rep.OK != tc.wantOK || !strings.Contains(got, tc.want) || rep.V != PayloadVersion {
					t.Errorf("%s: reply = %+v (%s); want ok=%v containing %q", tc.name, rep, got, tc.wantOK, tc.want)
				}
				if bytes.Contains(tc.payload, []byte("req-42")) && rep.ID != "req-42" {
					t.Errorf("%s: reply id = %q; want req-42 echoed", tc.name, rep.ID)
				}
			}

			// 1 MB of garbage: MQTT 5 tells the broker our maximum packet
			// size, so the broker drops it; 3.1.1 receives it and refuses
			// it with an error reply. Either way the device keeps working.
			rep, ok := send("ping", garbage)
			switch protocol {
			case ProtocolV5:
				if ok {
					t.Errorf("1 MB command: got reply %+v; want the broker to drop it", rep)
				}
			case ProtocolV311:
				if !ok || rep.OK || !strings.Contains(rep.Error, "exceeds the limit") {
					t.Errorf("1 MB command: reply = %+v, %v; want an error naming the size limit", rep, ok)
				}
			}
			if rep, ok := send("ping", nil); !ok || !rep.OK {
				t.Errorf("ping after the 1 MB command: reply = %+v, %v; want pong", rep, ok)
			}
			if got := counterValue(t, reg, "fovea_mqtt_commands_total", "command", "unknown"); got != 1 {
				t.Errorf("fovea_mqtt_commands_total{command=unknown} = %v; want 1", got)
			}
		})
	}
}

func TestCommandRateCap(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	snk := newSink(t, testConfig(b, ProtocolV5))
	ob, _ := openOutbox(t, outbox.Options{})
	cfg := testConfig(b, ProtocolV5)
	cfg.CommandsPerSecond = 2 // burst 4
	reg := prometheus.NewRegistry()
	s, _ := runSyncer(t, Options{Config: cfg, Queue: ob, Registerer: reg})
	waitFor(t, 10*time.Second, "device online", func() bool { return s.Health().Connected })
	time.Sleep(200 * time.Millisecond)
	const sent = 50
	for range sent {
		if err := snk.cli.Publish(context.Background(), Message{Topic: "fovea/dev1/cmd/ping"}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "rate-limited drops counted", func() bool {
		return counterValue(t, reg, "fovea_mqtt_commands_dropped_total", "reason", "rate") > 0
	})
	time.Sleep(500 * time.Millisecond)
	if got := snk.replyCount("ping"); got == 0 || got >= sent {
		t.Errorf("replies = %d of %d pings; want some, but far fewer (rate cap 2/s)", got, sent)
	}
}

// TestCommandQueuedWhileOffline: the persistent session (MQTT 5 session
// expiry, 3.1.1 clean session off) makes the broker keep a command sent
// while the device is offline and deliver it when the device returns.
func TestCommandQueuedWhileOffline(t *testing.T) {
	for _, protocol := range []string{ProtocolV5, ProtocolV311} {
		t.Run(protocol, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{})
			snk := newSink(t, testConfig(b, ProtocolV5))
			ob, _ := openOutbox(t, outbox.Options{})
			cfg := testConfig(b, protocol)
			s, stop := runSyncer(t, Options{Config: cfg, Queue: ob})
			waitFor(t, 10*time.Second, "device online", func() bool { return s.Health().Connected })
			time.Sleep(300 * time.Millisecond) // SUBSCRIBE done
			stop()
			waitFor(t, 10*time.Second, "device offline", func() bool { st, _ := snk.lastStatus(); return st.State == "offline" })
			if err := snk.cli.Publish(context.Background(), Message{Topic: "fovea/dev1/cmd/ping", Payload: []byte(`{"id":"while-offline"}`)}); err != nil {
				t.Fatal(err)
			}
			_, _ = runSyncer(t, Options{Config: cfg, Queue: ob})
			waitFor(t, 10*time.Second, "reply to the command sent while offline", func() bool {
				r, ok := snk.replyFor("ping")
				return ok && r.ID == "while-offline" && r.OK
			})
		})
	}
}
