package mqttsync

import (
	"context"
	"flag"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

var outage = flag.Duration("mqtt.outage", 20*time.Second, "how long TestNoLossAcrossBrokerOutage keeps the broker down")

// TestNoLossAcrossBrokerOutage: the agent produces results continuously,
// the broker is down for -mqtt.outage (20s by default) and comes back on
// the same port; a subscriber started before the run receives every seq.
func TestNoLossAcrossBrokerOutage(t *testing.T) {
	for _, protocol := range []string{ProtocolV5, ProtocolV311} {
		t.Run(protocol, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{Persistence: true})
			snk := newSink(t, testConfig(b, ProtocolV5))
			ob, _ := openOutbox(t, outbox.Options{CommitInterval: 10 * time.Millisecond})
			s, _ := runSyncer(t, Options{Config: testConfig(b, protocol), Queue: ob})

			var produced atomic.Int64
			ctx, stopProducing := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; ctx.Err() == nil; i++ {
					if _, err := ob.Append(ctx, record(i)); err != nil {
						if ctx.Err() == nil {
							t.Errorf("Append: %v", err)
						}
						return
					}
					produced.Add(1)
					time.Sleep(2 * time.Millisecond)
				}
			}()
			t.Cleanup(func() { stopProducing(); <-done })

			waitFor(t, 10*time.Second, "first results before the outage", func() bool { return snk.count() > 50 })
			b.Stop()
			t.Logf("broker down for %v at %d records produced", *outage, produced.Load())
			time.Sleep(*outage)
			if h := s.Health(); h.Connected {
				t.Errorf("Health().Connected = true during the outage; want false")
			}
			b.Restart()
			time.Sleep(time.Second) // keep producing after the restart
			stopProducing()
			<-done
			n := int(produced.Load())
			waitFor(t, 60*time.Second, "every record after the outage", func() bool { m, _ := snk.missing(n); return m == 0 })
			missing, dups := snk.missing(n)
			t.Logf("produced %d, missing %d, duplicates %d", n, missing, dups)
			if h := s.Health(); !h.Connected || h.LastError == "" {
				t.Errorf("Health() = %+v; want connected again, with the outage's error remembered", h)
			}
		})
	}
}
