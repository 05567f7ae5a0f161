package agent

import (
	"context"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// TestMQTTSync runs the agent with an mqtt section against a real
// mosquitto on loopback, over a folder read once: Run returns only after
// the sync has delivered every result, a subscriber receives each as a
// valid record, and the outbox is acked down to empty.
func TestMQTTSync(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	dir, _ := imageSubset(t, 3)
	cfg := testConfig(t, `  - {id: loop, uri: "dir:`+dir+`", on_full: wait}`,
		"http: {listen: \"off\"}\nmqtt:\n  broker: "+broker.URL()+"\n  metrics_interval: 1s\n")

	var mu sync.Mutex
	got := map[uint64]record.Record{} // outbox seq → record
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).SetClientID("fovea-test-sub"))
	if tok := sub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscriber connect: %v", tok.Error())
	}
	defer sub.Disconnect(0)
	tok := sub.Subscribe("fovea/test-dev/results", 1, func(_ mqtt.Client, m mqtt.Message) {
		b, err := mqttsync.DecodeBatch(m.Payload(), 16<<20)
		if err != nil {
			t.Errorf("results payload: %v", err)
			return
		}
		for _, r := range b.Results {
			rec, err := record.Decode(r.Record)
			if err != nil {
				t.Errorf("result seq %d: %v", r.Seq, err)
				continue
			}
			mu.Lock()
			got[r.Seq] = rec
			mu.Unlock()
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}

	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned only at the 60s timeout; want it to return once the sync delivered the 3 results")
	}
	if n := len(readOutbox(t, cfg.DataDir)); n != 0 {
		t.Errorf("outbox holds %d records after Run; want 0 (all delivered and acked)", n)
	}
	// QoS 1 delivery to the subscriber follows the broker's PUBACK.
	waitFor(t, "3 results at the subscriber", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 3
	})
	mu.Lock()
	defer mu.Unlock()
	for seq, r := range got {
		if r.Device != "test-dev" || r.Camera != "loop" || len(r.Top) == 0 {
			t.Errorf("seq %d: record %+v; want device test-dev, camera loop, classes", seq, r)
		}
	}
	if len(got) != 3 {
		t.Errorf("subscriber got %d results; want 3", len(got))
	}
}
