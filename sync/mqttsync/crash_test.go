package mqttsync

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/testlog"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// Environment of the re-executed test binary in TestNoLossAcrossCrash.
const (
	envCrashOutbox = "FOVEA_MQTTSYNC_CRASH_OUTBOX"
	envCrashBroker = "FOVEA_MQTTSYNC_CRASH_BROKER"
)

// TestNoLossAcrossCrash SIGKILLs the syncing process mid-drain several
// times; each restart resumes from the outbox, and the subscriber ends up
// with every seq. The Last Will announces each crash.
func TestNoLossAcrossCrash(t *testing.T) {
	const n, kills = 20000, 4
	b := mosquittotest.Start(t, mosquittotest.Options{})
	snk := newSink(t, testConfig(b, ProtocolV5))
	ob, path := openOutbox(t, outbox.Options{})
	appendN(t, ob, n)
	if err := ob.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
		cmd.Env = append(os.Environ(), envCrashOutbox+"="+path, envCrashBroker+"="+b.URL())
		cmd.Stdout = testlog.Writer(t)
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := snk.count()
		if i == kills {
			waitFor(t, 60*time.Second, "every record after the last restart", func() bool { m, _ := snk.missing(n); return m == 0 })
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				t.Errorf("child after SIGTERM: %v", err)
			}
			break
		}
		waitFor(t, 30*time.Second, "progress before the kill", func() bool { return snk.count() > before })
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		got := snk.count()
		if got >= n {
			t.Fatalf("drain finished before kill %d; slow it down", i+1)
		}
		t.Logf("kill %d: %d of %d delivered", i+1, got, n)
		waitFor(t, 10*time.Second, "Last Will (offline) after SIGKILL", func() bool {
			st, ok := snk.lastStatus()
			return ok && st.State == "offline"
		})
	}
	missing, dups := snk.missing(n)
	t.Logf("after %d SIGKILLs: missing %d, duplicates %d", kills, missing, dups)
	if missing != 0 {
		t.Errorf("missing = %d; want 0", missing)
	}
}

// TestCrashChild is the syncing process of TestNoLossAcrossCrash; it only
// runs when re-executed with the environment set.
func TestCrashChild(t *testing.T) {
	path, broker := os.Getenv(envCrashOutbox), os.Getenv(envCrashBroker)
	if path == "" {
		t.Skip("helper process for TestNoLossAcrossCrash")
	}
	ob, err := outbox.Open(path, outbox.Options{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg := Config{
		Broker: mustBroker(t, broker), DeviceID: "dev1", BatchRecords: 100,
		RateBytesPerSecond: 1 << 20, // about 5 s for the whole backlog
		RetryMin:           50 * time.Millisecond, RetryMax: 500 * time.Millisecond,
	}
	s, err := New(Options{Config: cfg, Queue: ob, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}
