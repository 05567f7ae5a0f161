package fetchmqtt

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

// Environment of the child process of TestTransferKill9.
const (
	envChild  = "FOVEA_FETCH_CRASH_CHILD"
	envBroker = "FOVEA_FETCH_CRASH_BROKER"
	envDst    = "FOVEA_FETCH_CRASH_DST"
	envSHA    = "FOVEA_FETCH_CRASH_SHA"
)

// TestTransferKill9 kills the device process with SIGKILL in the middle of
// an MQTT transfer (no clean stop: only what the periodic syncs recorded
// survives), then resumes in a new process with a new client: the file is
// complete and correct, and the chunks recorded before the kill did not
// travel again.
func TestTransferKill9(t *testing.T) {
	if os.Getenv(envChild) != "" {
		crashChild(t)
		return
	}
	if testing.Short() {
		t.Skip("skipping the kill -9 test in -short mode")
	}
	b := mosquittotest.Start(t, mosquittotest.Options{})
	data := testData(modelSize, 10)
	op := startOperator(t, b, nil)
	man, err := op.srv.Add("t-kill", writeFile(t, data), 0)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "staged.fovea")

	cmd := exec.Command(os.Args[0], "-test.run=^TestTransferKill9$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"=1", envBroker+"="+b.URL(), envDst+"="+dst, envSHA+"="+sumHex(data))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if done, ok := strings.CutPrefix(sc.Text(), "progress "); ok {
			if n, _ := strconv.ParseInt(done, 10, 64); n > modelSize/2 {
				cmd.Process.Kill()
				killed = true
				break
			}
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	cmd.Wait()
	if !killed {
		t.Fatalf("the child ended before it got halfway")
	}
	before := op.srv.Stats().Chunks

	d := startDevice(t, b, "dev1-after", fetch.MQTTOptions{})
	var first int64 = -1
	src := fetch.Source{TransferID: "t-kill", Size: modelSize, SHA256: sumHex(data)}
	if err := d.m.Fetch(context.Background(), src, dst, func(done, _ int64) {
		if first < 0 {
			first = done
		}
	}); err != nil {
		t.Fatalf("Fetch after kill -9: %v", err)
	}
	checkFile(t, dst, data)
	got := d.m.Stats().Received
	t.Logf("killed after %d chunks served; resumed at %d bytes and received %d of %d chunks", before, first, got, len(man.Chunks))
	if first <= 0 || got >= int64(len(man.Chunks)) {
		t.Errorf("resumed at %d bytes, received %d of %d chunks; want the synced chunks kept", first, got, len(man.Chunks))
	}
}

// crashChild fetches until its parent kills it, printing progress.
func crashChild(t *testing.T) {
	opts := Options{Broker: os.Getenv(envBroker), ClientID: "dev1-before"}
	pub := &lazyPub{}
	m, err := fetch.NewMQTT(fetch.MQTTOptions{Publisher: pub, RequestTopic: "fovea/dev1/" + fetch.RequestSuffix, SyncEvery: 4, Reserve: -1})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Dial(context.Background(), opts, map[string]func(fetch.Message){m.DataTopic(): m.Deliver})
	if err != nil {
		t.Fatal(err)
	}
	pub.set(conn)
	src := fetch.Source{TransferID: "t-kill", Size: modelSize, SHA256: os.Getenv(envSHA)}
	err = m.Fetch(context.Background(), src, os.Getenv(envDst), func(done, _ int64) {
		fmt.Printf("progress %d\n", done)
		time.Sleep(2 * time.Millisecond) // give the parent time to kill mid-transfer
	})
	t.Fatalf("the child's Fetch returned (%v) before it was killed", err)
}
