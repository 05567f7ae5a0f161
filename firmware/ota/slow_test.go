package ota

import (
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// TestSlowModelRefused deploys a model several times slower than the running
// one (same input and classes): the shadow run's latency-ratio gate
// refuses it.
func TestSlowModelRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: trains a wide model, and -race (run with -short) distorts the latencies it compares")
	}
	r := newRig(t, nil)
	s := otatest.Spec(t, "4.0.0")
	s.Model = otatest.SlowModel(t)
	d := r.deployment(otatest.Write(t, r.src, s, r.priv), "4.0.0")
	d.Gates = deploy.Gates{MaxLatencyRatio: 2, ShadowFrames: 100}
	r.submit(d)
	st := r.wait(d.ID)
	if st.State != Failed || !strings.Contains(st.Reason, "median latency") {
		t.Fatalf("final %s: %q; want refused by the latency ratio", st.State, st.Reason)
	}
	t.Logf("%s; p50 %.2f ms", st.Reason, st.Gates.P50)
}
