package agent

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// smallModel is the fastest real classifier in the shared assets
// (MobileNet v1 0.25, 128×128, uint8, 1001 ImageNet classes).
func smallModel(t testing.TB) (model, labels string) {
	t.Helper()
	g := sharedtest.Dir(t, "golden")
	return filepath.Join(g, "models", "mobilenet_v1_0.25_128_quant.tflite"), filepath.Join(g, "labels", "imagenet_labels.txt")
}

// imageSubset links the first n ImageNet photos into a fresh folder and
// returns it with their names.
func imageSubset(t testing.TB, n int) (string, []string) {
	t.Helper()
	src := sharedtest.Dir(t, "images", "imagenet")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var names []string
	for _, e := range entries {
		if len(names) == n {
			break
		}
		if !strings.HasSuffix(e.Name(), ".JPEG") {
			continue
		}
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
	}
	return dir, names
}

// testConfig parses a configuration whose cameras section is cams (YAML
// list items) with the small model, a temporary data dir and HTTP on a
// free loopback port.
func testConfig(t testing.TB, cams string, extra string) *config.Config {
	t.Helper()
	model, labels := smallModel(t)
	y := fmt.Sprintf(`
version: 1
device_id: test-dev
data_dir: %q
cameras:
%s
model:
  path: %q
  labels: %q
  top_k: 3
%s`, filepath.Join(t.TempDir(), "state"), cams, model, labels, extra)
	if !strings.Contains(extra, "http:") {
		y += "\nhttp: {listen: \"127.0.0.1:0\"}\n"
	}
	c, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatalf("config.Parse = %v\n%s", err, y)
	}
	return c
}

// started runs a in the background and returns its address and a
// function that stops it and returns Run's error.
func started(t *testing.T, a *Agent) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	addr, err := a.WaitListening(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var stopped bool
	var runErr error
	stop = func() error {
		if !stopped {
			cancel()
			runErr = <-done
			stopped = true
		}
		return runErr
	}
	t.Cleanup(func() { stop() })
	return addr, stop
}

// waitFor polls cond every 20ms until it holds or 60s pass: the work it
// waits for is real inference on a shared machine, so there is no tight
// deadline to assert on.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// readOutbox returns every record in the outbox file of dataDir, in order.
func readOutbox(t *testing.T, dataDir string) []record.Record {
	t.Helper()
	box, err := outbox.OpenReadOnly(filepath.Join(dataDir, OutboxFile), outbox.Options{})
	if err != nil {
		t.Fatalf("outbox.OpenReadOnly: %v", err)
	}
	defer box.Close()
	var out []record.Record
	var after uint64
	for {
		es, err := box.Read(after, 100, 1<<20)
		if err != nil {
			t.Fatalf("outbox Read: %v", err)
		}
		if len(es) == 0 {
			return out
		}
		for _, e := range es {
			r, err := record.Decode(e.Value)
			if err != nil {
				t.Fatalf("outbox seq %d: %v", e.Seq, err)
			}
			out = append(out, r)
			after = e.Seq
		}
	}
}

func frames(rs []record.Record) []string {
	var names []string
	for _, r := range rs {
		names = append(names, r.Frame)
	}
	slices.Sort(names)
	return names
}
