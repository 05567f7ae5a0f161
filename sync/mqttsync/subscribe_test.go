package mqttsync

import (
	"context"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// TestSubscribeAndPublish: a feature's extra subscription receives a
// retained message published before the device connected and a live one
// after; Publish sends retained device state the operator sees.
func TestSubscribeAndPublish(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	op := newPlainClient(t, testConfig(b, ProtocolV5), "operator", "fovea/dev1/ota")
	const deploy = "fovea/groups/line-1/deploy"
	publishOrFail(t, op.cli, Message{Topic: deploy, Payload: []byte(`{"n":1}`), Retain: true})

	ob, _ := openOutbox(t, outbox.Options{})
	got := make(chan Message, 4)
	s, _ := runSyncer(t, Options{Config: testConfig(b, ProtocolV5), Queue: ob}, func(s *Syncer) {
		s.Subscribe("fovea/groups/+/deploy", func(m Message) { got <- m })
	})
	expect := func(payload string) {
		t.Helper()
		select {
		case m := <-got:
			if m.Topic != deploy || string(m.Payload) != payload {
				t.Fatalf("subscription got %s %q; want %s %q", m.Topic, m.Payload, deploy, payload)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("subscription got nothing; want %q", payload)
		}
	}
	expect(`{"n":1}`) // retained, delivered on subscribe
	waitFor(t, 10*time.Second, "device connected", func() bool { return s.Health().Connected })
	publishOrFail(t, op.cli, Message{Topic: deploy, Payload: []byte(`{"n":2}`)})
	expect(`{"n":2}`)

	if s.Topic("ota") != "fovea/dev1/ota" {
		t.Errorf("Topic(ota) = %q; want fovea/dev1/ota", s.Topic("ota"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Publish(ctx, Message{Topic: s.Topic("ota"), Payload: []byte(`{"state":"idle"}`), Retain: true}); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	select {
	case m := <-op.msgs:
		if string(m.Payload) != `{"state":"idle"}` {
			t.Errorf("operator got %q; want the published state", m.Payload)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("operator got nothing from Publish")
	}
}

func TestPublishBeforeRun(t *testing.T) {
	ob, _ := openOutbox(t, outbox.Options{})
	s, err := New(Options{Config: Config{Broker: mustBroker(t, "mqtt://127.0.0.1:1"), DeviceID: "dev1"}, Queue: ob})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(context.Background(), Message{Topic: "x"}); err == nil {
		t.Error("Publish before Run = nil; want ErrNotConnected")
	}
}

// plainClient is an operator-side client that collects what arrives on
// its filters.
type plainClient struct {
	cli  Client
	msgs chan Message
}

func newPlainClient(t *testing.T, cfg Config, id string, filters ...string) *plainClient {
	t.Helper()
	p := &plainClient{msgs: make(chan Message, 64)}
	cfg.DeviceID, cfg.ClientID = id, id
	cli, err := NewClient(ClientOptions{
		Config:    cfg.WithDefaults(),
		Subscribe: filters,
		OnMessage: func(m Message) { p.msgs <- m },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := cli.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer ccancel()
		_ = cli.Close(cctx)
		cancel()
	})
	actx, acancel := context.WithTimeout(ctx, 10*time.Second)
	defer acancel()
	if err := cli.AwaitConnection(actx); err != nil {
		t.Fatal(err)
	}
	p.cli = cli
	return p
}

func publishOrFail(t *testing.T, cli Client, m Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cli.Publish(ctx, m); err != nil {
		t.Fatalf("publish %s: %v", m.Topic, err)
	}
}
