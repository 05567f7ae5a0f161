package ota

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

func TestUpdateCommits(t *testing.T) {
	r := newRig(t, nil)
	d := r.deployment(otatest.Shapes(t, r.src, r.priv, "1.1.0"), "1.1.0")
	r.submit(d)
	st := r.wait(d.ID)
	if st.State != Committed {
		t.Fatalf("final state %s: %s", st.State, st.Reason)
	}
	want := []State{Downloading, Verifying, Staged, SelfTest, Shadow, Activating, Probation, Committed}
	if got := r.states(d.ID); !slices.Equal(got, want) {
		t.Errorf("published states %v; want %v", got, want)
	}
	if st.Active != "1.1.0" || st.ActiveSHA256 == "" || st.Gates == nil || st.Gates.Agreement < 0.99 || st.Gates.Frames < 40 {
		t.Errorf("committed status %+v", st)
	}
	if r.host.current() != "1.1.0" {
		t.Errorf("host runs %q; want 1.1.0", r.host.current())
	}
	if a, p, _ := r.store.Pointers(); a != "1.1.0" || p != "" {
		t.Errorf("store pointers %q, %q; want 1.1.0 and the configured model", a, p)
	}
	if ents, _ := os.ReadDir(filepath.Join(r.data, "ota", "download")); len(ents) != 0 {
		t.Errorf("download directory keeps %d files", len(ents))
	}
	// The same message again (a retained message after a reconnect) is a
	// replay.
	env, _ := deploy.Encode(d, r.priv)
	if err := r.m.Submit(env); err == nil || !strings.Contains(err.Error(), "not newer") {
		t.Errorf("Submit of the applied deployment again = %v; want a replay error", err)
	}
	// A later rollout stage naming the running version commits at once.
	again := r.deployment(otatest.Shapes(t, t.TempDir(), r.priv, "1.1.0"), "1.1.0")
	r.submit(again)
	if st := r.wait(again.ID); st.State != Committed || !strings.Contains(st.Reason, "already running") {
		t.Errorf("deployment of the running version: %s %q", st.State, st.Reason)
	}
	// A second update makes 1.1.0 the rollback target; the manual
	// rollback returns to it.
	if st := r.install("1.2.0"); st.State != Committed || st.Previous != "1.1.0" {
		t.Fatalf("1.2.0: %s (%s), previous %q", st.State, st.Reason, st.Previous)
	}
	if err := r.m.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := r.m.Status(); st.State != RolledBack || st.Active != "1.1.0" || r.host.current() != "1.1.0" {
		t.Errorf("after Rollback: %s active %q host %q", st.State, st.Active, r.host.current())
	}
	if err := r.m.Activate(context.Background(), "1.2.0"); err != nil {
		t.Fatal(err)
	}
	if r.host.current() != "1.2.0" {
		t.Errorf("after Activate(1.2.0) host runs %q", r.host.current())
	}
}

// TestBadModelRefusedInShadow deploys the shapes model with its labels
// rotated: it loads and passes its own test vectors, and disagrees with
// the running model on nearly every frame.
func TestBadModelRefusedInShadow(t *testing.T) {
	r := newRig(t, nil)
	p := otatest.Write(t, r.src, otatest.Shuffled(t, "2.0.0"), r.priv)
	d := r.deployment(p, "2.0.0")
	r.submit(d)
	st := r.wait(d.ID)
	if st.State != Failed || !strings.Contains(st.Reason, "shadow: agreement") {
		t.Fatalf("final %s: %q; want failed on shadow agreement", st.State, st.Reason)
	}
	if r.host.current() != "" || slices.Contains(r.host.activations, "2.0.0") {
		t.Errorf("the bad model was activated: %v", r.host.activations)
	}
	if _, err := r.store.Get("2.0.0"); err == nil {
		t.Error("the refused candidate is still installed")
	}
}

// TestBadModelRolledBackInProbation lets the relabelled model through a
// lax shadow gate; probation's accuracy gate (the shapes frames carry
// their truth) rolls it back.
func TestBadModelRolledBackInProbation(t *testing.T) {
	r := newRig(t, nil)
	if st := r.install("1.0.0"); st.State != Committed {
		t.Fatal(st.Reason)
	}
	p := otatest.Write(t, r.src, otatest.Shuffled(t, "2.0.0"), r.priv)
	d := r.deployment(p, "2.0.0")
	d.Gates = deploy.Gates{SkipShadow: true, MinAccuracy: 0.8}
	r.submit(d)
	st := r.wait(d.ID)
	if st.State != RolledBack || !strings.Contains(st.Reason, "probation:") || !strings.Contains(st.Reason, "accuracy") {
		t.Fatalf("final %s: %q; want rolled back by probation's accuracy gate", st.State, st.Reason)
	}
	if st.Active != "1.0.0" || r.host.current() != "1.0.0" {
		t.Errorf("after rollback: status active %q, host %q; want 1.0.0", st.Active, r.host.current())
	}
	if got := r.host.activations; !slices.Equal(got, []string{"1.0.0", "2.0.0", "1.0.0"}) {
		t.Errorf("activations %v", got)
	}
	t.Logf("reason: %s", st.Reason)
}

// TestRefusals runs every refusal through the machine with a real file
// and checks the running model was never touched.
func TestRefusals(t *testing.T) {
	r := newRig(t, nil)
	if st := r.install("1.0.0"); st.State != Committed {
		t.Fatal(st.Reason)
	}
	_, otherPriv := otatest.Key(t)
	good := otatest.Shapes(t, r.src, r.priv, "1.5.0")
	tampered := filepath.Join(r.src, "tampered.fovea")
	b, _ := os.ReadFile(good)
	b[len(b)-3] ^= 1
	os.WriteFile(tampered, b, 0o644)
	truncated := filepath.Join(r.src, "truncated.fovea")
	os.WriteFile(truncated, b[:len(b)/2], 0o644)

	brokenModel := func() string {
		s := otatest.Spec(t, "1.6.0")
		var buf bytes.Buffer
		m := &bundle.Manifest{Format: bundle.FormatVersion, Name: "shapes", Version: "1.6.0", Model: bundle.ModelMember, Labels: bundle.LabelsMember,
			Input: bundle.Input{Shape: []int{1, 64, 64, 3}, DType: "int8"}}
		model := bytes.Clone(s.Model)
		model = model[:len(model)/3]
		if err := bundle.Pack(&buf, m, []bundle.Member{{Name: bundle.ModelMember, Data: model}, {Name: bundle.LabelsMember, Data: []byte("a\nb\nc\nd\ne\n")}}, r.priv); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(r.src, "broken.fovea")
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}()
	wrongVectors := func() string {
		s := otatest.Spec(t, "1.7.0")
		var buf bytes.Buffer
		m, err := bundle.Create(context.Background(), &buf, s, r.priv)
		if err != nil {
			t.Fatal(err)
		}
		// Re-pack with every test vector's top-1 score off by 0.3.
		members := append([]bundle.Member(nil), bundle.Member{Name: bundle.ModelMember, Data: s.Model}, bundle.Member{Name: bundle.LabelsMember, Data: []byte(strings.Join(otatest.ShapesLabels, "\n") + "\n")})
		for i, ti := range s.Tests {
			members = append(members, bundle.Member{Name: m.Tests[i].Input, Data: ti.Data})
			m.Tests[i].Top[0].Score -= 0.3
		}
		buf.Reset()
		if err := bundle.Pack(&buf, m, members, r.priv); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(r.src, "vectors.fovea")
		os.WriteFile(p, buf.Bytes(), 0o644)
		return p
	}()
	newAgent := otatest.Spec(t, "1.8.0")
	newAgent.MinAgent = "2.0.0"

	tests := []struct {
		name, path, version string
		change              func(*deploy.Deployment)
		want                string
	}{
		{"signed by an untrusted key", otatest.Shapes(t, t.TempDir(), otherPriv, "1.5.0"), "1.5.0", nil, "not in ota.trusted_keys"},
		{"bad signature or member", tampered, "1.5.0", nil, "sha256 does not match"},
		{"sha256 differs from the deployment", good, "1.5.0", func(d *deploy.Deployment) { d.SHA256 = strings.Repeat("0", 64) }, "download failed"},
		{"truncated", truncated, "1.5.0", nil, "truncated"},
		{"downgrade", otatest.Shapes(t, t.TempDir(), r.priv, "0.9.0"), "0.9.0", nil, "downgrade refused"},
		{"bundle is another version", good, "1.9.0", nil, "not the one the deployment names"},
		{"agent too old", otatest.Write(t, t.TempDir(), newAgent, r.priv), "1.8.0", nil, "newer Fovea agent"},
		{"model fails to load", brokenModel, "1.6.0", nil, "fails to load"},
		{"test vectors fail", wrongVectors, "1.7.0", nil, "differs from the bundle's test vector"},
		{"over the latency budget", good, "1.5.0", func(d *deploy.Deployment) { d.Gates.MaxLatencyP99 = deploy.Duration(time.Nanosecond) }, "over the latency budget"},
		{"not enough disk", good, "1.5.0", func(d *deploy.Deployment) { d.Size = 1 << 60 }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.deployment(tt.path, tt.version)
			if tt.change != nil {
				tt.change(d)
			}
			if d.Size == 1<<60 {
				// The size check in Validate passes; the disk check fails.
				tt.want = "not enough free disk space"
			}
			r.submit(d)
			st := r.wait(d.ID)
			if st.State != Failed || !strings.Contains(st.Reason, tt.want) {
				t.Fatalf("final %s: %q; want failed with %q", st.State, st.Reason, tt.want)
			}
			if st.Active != "1.0.0" || r.host.current() != "1.0.0" {
				t.Fatalf("running model changed to %q/%q", st.Active, r.host.current())
			}
		})
	}
	if got := r.host.activations; !slices.Equal(got, []string{"1.0.0"}) {
		t.Errorf("activations %v; want only 1.0.0", got)
	}
	list, _ := r.store.List()
	if len(list) != 1 {
		t.Errorf("%d versions installed after the refusals; want 1", len(list))
	}
}

func TestAllowDowngrade(t *testing.T) {
	r := newRig(t, nil)
	if st := r.install("1.0.0"); st.State != Committed {
		t.Fatal(st.Reason)
	}
	d := r.deployment(otatest.Shapes(t, r.src, r.priv, "0.9.0"), "0.9.0")
	d.AllowDowngrade = true
	r.submit(d)
	if st := r.wait(d.ID); st.State != Committed || st.Active != "0.9.0" {
		t.Fatalf("signed downgrade: %s %q", st.State, st.Reason)
	}
}

func TestSubmitIgnores(t *testing.T) {
	r := newRig(t, nil)
	d := r.deployment(otatest.Shapes(t, r.src, r.priv, "1.0.0"), "1.0.0")
	d.Group = "elsewhere"
	env, _ := deploy.Encode(d, r.priv)
	if err := r.m.Submit(env); err == nil || !strings.Contains(err.Error(), "not addressed") {
		t.Errorf("Submit for another group = %v", err)
	}
	d.Group, d.Devices = "lab", []string{"dev-2"}
	env, _ = deploy.Encode(d, r.priv)
	if err := r.m.Submit(env); err == nil || !strings.Contains(err.Error(), "not addressed") {
		t.Errorf("Submit for another device's stage = %v", err)
	}
	_, other := otatest.Key(t)
	env, _ = deploy.Encode(d, other)
	if err := r.m.Submit(env); err == nil || !strings.Contains(err.Error(), "not in ota.trusted_keys") {
		t.Errorf("Submit signed by an untrusted key = %v", err)
	}
	if st := r.m.Status(); !strings.Contains(st.Rejected, "not in ota.trusted_keys") || st.State != Idle {
		t.Errorf("status after a refused message: %s, rejected %q", st.State, st.Rejected)
	}
}
