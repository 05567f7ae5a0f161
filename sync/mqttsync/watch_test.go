package mqttsync

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestWatch(t *testing.T) {
	tests := []struct {
		name   string
		json   bool
		device string
		want   []string
	}{
		{"text", false, "", []string{"dev1 status online", "dev1 result seq=1 {", "dev1 result seq=20 {"}},
		{"json, one device", true, "dev1", []string{`"kind":"status"`, `"seq":20,`, `"kind":"result"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{})
			var out lockedBuffer
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- Watch(ctx, WatchOptions{Config: Config{Broker: mustBroker(t, b.URL())}, Device: tc.device, JSON: tc.json, Out: &out})
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("Watch: %v", err)
				}
			}()
			time.Sleep(300 * time.Millisecond) // let the watcher subscribe
			ob, _ := openOutbox(t, outbox.Options{})
			appendN(t, ob, 20)
			cfg := testConfig(b, ProtocolV5)
			cfg.Gzip = true
			_, _ = runSyncer(t, Options{Config: cfg, Queue: ob})
			waitFor(t, 10*time.Second, "watch output", func() bool {
				s := out.String()
				for _, w := range tc.want {
					if !strings.Contains(s, w) {
						return false
					}
				}
				return true
			})
			if tc.json {
				for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
					var ev WatchEvent
					if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Device != "dev1" {
						t.Errorf("line %q: %v; want a JSON event for dev1", line, err)
					}
				}
			}
		})
	}
}
