package ota

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestRefuseOtherInput deploys a real model that takes another input
// (MobileNet v1 0.25, uint8 [1,128,128,3]) to a device configured for the
// shapes model (int8 [1,64,64,3]): the self-test refuses it and the
// running model keeps classifying.
func TestRefuseOtherInput(t *testing.T) {
	g := sharedtest.Dir(t, "golden")
	model, err := os.ReadFile(filepath.Join(g, "models", "mobilenet_v1_0.25_128_quant.tflite"))
	if err != nil {
		t.Fatal(err)
	}
	labels, err := infer.ReadLabels(filepath.Join(g, "labels", "imagenet_labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, nil)
	s := bundle.Spec{Name: "shapes", Version: "3.0.0", Model: model, Labels: labels, Tests: otatest.Images(t, 1, 128, 1)}
	d := r.deployment(otatest.Write(t, r.src, s, r.priv), "3.0.0")
	before := r.host.frames.Load()
	r.submit(d)
	st := r.wait(d.ID)
	if st.State != Failed || !strings.Contains(st.Reason, "does not match the configured model") {
		t.Fatalf("final %s: %q; want the input refused", st.State, st.Reason)
	}
	if r.host.current() != "" || r.host.frames.Load() == before {
		t.Errorf("running model %q, frames %d → %d: the configured model must keep classifying", r.host.current(), before, r.host.frames.Load())
	}
	t.Log(st.Reason)
}
