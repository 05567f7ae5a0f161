package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestRunSIGKILL kills `fovea run --json` at random moments, restarting it
// on the same data dir each time. --json prints a result only once it is
// durable, so after every kill each printed result must be in the outbox
// under its outbox_seq, with the same content, exactly once and in order.
func TestRunSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the SIGKILL loop in -short mode")
	}
	g := sharedtest.Dir(t, "golden")
	dir, _ := imagenetSubset(t, 4)
	data := filepath.Join(t.TempDir(), "state")
	cfg := writeConfig(t, fmt.Sprintf(`version: 1
device_id: crash
data_dir: %q
cameras:
  - {id: loop, uri: "dir:%s", loop: true, on_full: wait}
model: {path: %q, labels: %q, top_k: 2}
outbox: {commit_interval: 20ms}
http: {listen: "off"}
log: {level: warn}
`, data, dir, filepath.Join(g, "models", "mobilenet_v1_0.25_128_quant.tflite"), filepath.Join(g, "labels", "imagenet_labels.txt")))

	const kills = 20
	rng := rand.New(rand.NewPCG(1, 2))
	printed := map[uint64]record.Record{} // outbox seq → record, over all runs
	for i := range kills {
		cmd := exec.Command(foveaBin, "run", "--config", cfg, "--json")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []byte)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- bytes.Clone(sc.Bytes())
			}
		}()
		// Wait for a first result (the model is loaded), then kill after a
		// random 0–300ms, in the middle of classifying and committing.
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("run %d: fovea exited before its first result:\n%s", i, stderr.String())
			}
			addPrinted(t, printed, l)
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("run %d: no result within 60s:\n%s", i, stderr.String())
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for l := range lines {
			addPrinted(t, printed, l)
		}
		_ = cmd.Wait()
		io.Copy(io.Discard, out)
	}

	stored := map[uint64]record.Record{}
	var last uint64
	for _, e := range outboxEntries(t, data) {
		if e.seq <= last {
			t.Fatalf("outbox seq %d after %d: not in order", e.seq, last)
		}
		last = e.seq
		stored[e.seq] = e.rec
	}
	for seq, want := range printed {
		got, ok := stored[seq]
		if !ok {
			t.Errorf("result printed as durable under outbox seq %d (%s #%d) is missing after SIGKILL", seq, want.Frame, want.Seq)
			continue
		}
		if got.Frame != want.Frame || got.Seq != want.Seq || got.Top[0] != want.Top[0] {
			t.Errorf("outbox seq %d = %s #%d %v; printed %s #%d %v", seq, got.Frame, got.Seq, got.Top[0], want.Frame, want.Seq, want.Top[0])
		}
	}
	t.Logf("%d kills: %d results printed, %d records in the outbox", kills, len(printed), len(stored))
	if len(printed) < kills {
		t.Errorf("only %d results printed over %d runs", len(printed), kills)
	}
}

func addPrinted(t *testing.T, printed map[uint64]record.Record, line []byte) {
	t.Helper()
	var v struct {
		record.Record
		OutboxSeq uint64 `json:"outbox_seq"`
	}
	if err := json.Unmarshal(line, &v); err != nil || v.OutboxSeq == 0 {
		t.Fatalf("fovea run --json printed %q: %v", line, err)
	}
	if _, dup := printed[v.OutboxSeq]; dup {
		t.Errorf("outbox seq %d printed twice", v.OutboxSeq)
	}
	printed[v.OutboxSeq] = v.Record
}
