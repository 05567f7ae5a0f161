package mqttsync

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

var backlog = flag.Int("mqtt.backlog", 1_000_000, "records pre-filled in BenchmarkDrainBacklog")

var benchOutbox = outbox.Options{MaxBytes: 1 << 30, MaxRecords: 4_000_000}

var (
	templateOnce sync.Once
	templatePath string
)

// backlogTemplate fills an outbox with -mqtt.backlog records once per
// process; each benchmark drains its own copy.
func backlogTemplate(b *testing.B) string {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mqttsync-bench")
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, "template.db")
		ob, err := outbox.Open(p, benchOutbox)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		appendN(b, ob, *backlog)
		if err := ob.Close(); err != nil {
			b.Fatal(err)
		}
		b.Logf("pre-filled %d records in %v", *backlog, time.Since(start).Round(time.Millisecond))
		templatePath = p
	})
	if templatePath == "" {
		b.Fatal("no backlog template")
	}
	return templatePath
}

func copyFile(b *testing.B, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDrainBacklog drains a pre-filled backlog (1,000,000 results by
// default) to mosquitto on loopback. Run it once per configuration:
//
//	go test -run '^$' -bench DrainBacklog -benchtime 1x ./sync/mqttsync
func BenchmarkDrainBacklog(b *testing.B) {
	for _, tc := range []struct {
		name     string
		protocol string
		gzip     bool
	}{
		{"v5", ProtocolV5, false},
		{"v5-gzip", ProtocolV5, true},
		{"v3.1.1", ProtocolV311, false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tmpl := backlogTemplate(b)
			broker := mosquittotest.Start(b, mosquittotest.Options{})
			for b.Loop() {
				b.StopTimer()
				p := filepath.Join(b.TempDir(), "outbox.db")
				copyFile(b, tmpl, p)
				ob, err := outbox.Open(p, benchOutbox)
				if err != nil {
					b.Fatal(err)
				}
				n := ob.Stats().Count
				cfg := testConfig(broker, tc.protocol)
				cfg.BatchRecords, cfg.Gzip = 1000, tc.gzip
				reg := prometheus.NewRegistry()
				b.StartTimer()
				start := time.Now()
				_, stop := runSyncer(b, Options{Config: cfg, Queue: ob, Registerer: reg})
				for ob.Stats().Count != 0 {
					time.Sleep(5 * time.Millisecond)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				stop()
				wire := counterValue(b, reg, "fovea_mqtt_wire_sent_bytes_total", "", "")
				payload := counterValue(b, reg, "fovea_mqtt_published_payload_bytes_total", "kind", "results")
				msgs := counterValue(b, reg, "fovea_mqtt_published_messages_total", "kind", "results")
				b.ReportMetric(float64(n)/elapsed.Seconds(), "results/s")
				b.ReportMetric(elapsed.Seconds(), "s/backlog")
				b.ReportMetric(wire/float64(n), "wire-B/result")
				b.ReportMetric(payload/float64(n), "payload-B/result")
				b.ReportMetric(msgs, "messages")
				if err := ob.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
