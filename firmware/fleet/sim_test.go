package fleet_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// simEnv sets the number of agents of TestFleetSimulation (e.g. 50); the
// test is skipped without it.
const simEnv = "FOVEA_FLEET_SIM"

// TestFleetSimulation runs a fleet of in-process agents (each with its own
// data directory, device id, synthetic camera and MQTT connection to one
// real mosquitto), rolls a good bundle out over HTTP in stages 1, 10%,
// 100%, then a bad one (labels rotated, shadow skipped so that it is
// activated and caught by probation's accuracy gate) in stages 10%, 100%,
// and reports per-stage times, bytes on the wire per device, dropped
// frames and the time until the bad stage is rolled back everywhere.
func TestFleetSimulation(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv(simEnv))
	if n <= 0 {
		t.Skipf("set %s=50 to simulate a fleet", simEnv)
	}
	broker := mosquittotest.Start(t, mosquittotest.Options{})
	pub, priv := otatest.Key(t)
	agents := devices(t, broker, pub, n, 10)
	dir := t.TempDir()
	var served, requests atomic.Int64
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		files.ServeHTTP(countingWriter{w, &served}, r)
	}))
	defer srv.Close()
	waitReported(t, broker, n)

	good := otatest.Shapes(t, dir, priv, "1.1.0")
	p := plan(t, good, "1.1.0", "1,10%,100%")
	p.Deployment.URL = srv.URL + "/" + filepath.Base(good)
	// A fleet tolerates a few devices failing a gate (here typically a
	// latency stall of a loaded test machine): 5%.
	p.MaxFailureRate = 0.05
	start := time.Now()
	r, err := fleet.Run(context.Background(), operator(t, broker), priv, p, nil)
	if err != nil {
		t.Fatalf("good rollout: %v", err)
	}
	t.Logf("good rollout of %d bytes to %d agents in %s", p.Deployment.Size, n, time.Since(start).Round(time.Millisecond))
	for i := range r.Stages {
		t.Logf("  stage %d (%s): %d devices, %s", i+1, r.Stages[i], len(r.Devices[i]), r.StageDone[i].Sub(r.StageStart[i]).Round(time.Millisecond))
	}
	t.Logf("  HTTP: %d requests, %d bytes, %.0f bytes per device (bundle %d)", requests.Load(), served.Load(), float64(served.Load())/float64(n), p.Deployment.Size)
	failedGood := 0
	for _, a := range agents {
		if a.OTAStatus().State == ota.Committed {
			waitRunning(t, a, "1.1.0", ota.Committed)
		} else {
			failedGood++
			t.Logf("  %s: %s", a.Status().Device, a.OTAStatus().Reason)
		}
	}

	bad := plan(t, otatest.Write(t, dir, otatest.Shuffled(t, "2.0.0"), priv), "2.0.0", "10%,100%")
	bad.Deployment.URL = srv.URL + "/shapes-2.0.0.fovea"
	bad.Deployment.Gates = deploy.Gates{SkipShadow: true, MinAccuracy: 0.8}
	start = time.Now()
	r, err = fleet.Run(context.Background(), operator(t, broker), priv, bad, nil)
	if !errors.Is(err, fleet.ErrHalted) {
		t.Fatalf("bad rollout: %v", err)
	}
	back := time.Now()
	for _, a := range agents {
		if a.Models().Active().Ref.Version == "2.0.0" {
			waitRunning(t, a, "1.1.0", ota.RolledBack)
		}
	}
	t.Logf("bad rollout: devices back %s after the halt", time.Since(back))
	t.Logf("bad rollout: halted %s after its start, every device back on 1.1.0 %s after its start; %v",
		r.HaltedAt.Sub(start).Round(time.Millisecond), time.Since(start).Round(time.Millisecond), err)
	var captured, dropped, results uint64
	for _, a := range agents {
		st := a.Status()
		for _, c := range st.Cameras {
			captured += c.Captured
			dropped += c.Dropped
		}
		results += st.Results
	}
	t.Logf("frames: %d captured, %d dropped, %d results", captured, dropped, results)
	// Drops are counted, not asserted: on a shared test machine a
	// camera's queue can overflow whenever the CPU is busy elsewhere.
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n.Add(int64(n))
	return n, err
}
