package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

func newStore(t *testing.T) (*Store, func(version string) string, string) {
	t.Helper()
	pub, priv := otatest.Key(t)
	data := t.TempDir()
	s, err := Open(data, sign.NewTrust(pub), bundle.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	return s, func(v string) string { return otatest.Shapes(t, src, priv, v) }, data
}

func versions(vs []*Version) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}

func TestInstallListActivatePrune(t *testing.T) {
	s, mk, _ := newStore(t)
	for _, v := range []string{"1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.1"} {
		got, err := s.Install(mk(v))
		if err != nil {
			t.Fatalf("Install %s: %v", v, err)
		}
		if got.Version != v || got.SHA256() == "" {
			t.Fatalf("Install %s = %+v", v, got)
		}
		if _, err := os.Stat(got.ModelPath()); err != nil {
			t.Fatal(err)
		}
	}
	// Installing the same bundle again is a no-op.
	if _, err := s.Install(mk("1.2.0")); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := versions(list), []string{"2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0"}; !slices.Equal(got, want) {
		t.Fatalf("List = %v; want %v", got, want)
	}
	if _, err := s.Active(); !errors.Is(err, ErrNoActive) {
		t.Fatalf("Active of a fresh store = %v; want ErrNoActive", err)
	}
	for _, v := range []string{"1.0.0", "1.2.0"} {
		if err := s.SetActive(v); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Active()
	p, err2 := s.Previous()
	if err != nil || err2 != nil || a.Version != "1.2.0" || p.Version != "1.0.0" || !a.Active || !p.Previous {
		t.Fatalf("Active, Previous = %v %v, %v %v; want 1.2.0, 1.0.0", a, err, p, err2)
	}
	if err := s.SetActive("9.9.9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetActive of a missing version = %v; want ErrNotFound", err)
	}
	removed, err := s.Prune(1)
	if err != nil {
		t.Fatal(err)
	}
	// keep 1: the newest (2.0.0-rc.1) plus active and previous survive.
	if !slices.Equal(removed, []string{"1.10.0"}) {
		t.Errorf("Prune(1) removed %v; want [1.10.0]", removed)
	}
	if err := s.Remove("1.2.0"); !errors.Is(err, ErrInUse) {
		t.Errorf("Remove(active) = %v; want ErrInUse", err)
	}
	if err := s.Remove("2.0.0-rc.1"); err != nil {
		t.Errorf("Remove = %v", err)
	}
}

func TestInstallRefusesTamperedAndLeavesNothing(t *testing.T) {
	s, mk, _ := newStore(t)
	p := mk("1.0.0")
	b, _ := os.ReadFile(p)
	b[len(b)-10] ^= 1
	bad := filepath.Join(t.TempDir(), "bad.fovea")
	os.WriteFile(bad, b, 0o644)
	if _, err := s.Install(bad); !errors.Is(err, bundle.ErrHash) {
		t.Fatalf("Install of a tampered bundle = %v; want ErrHash", err)
	}
	ents, _ := os.ReadDir(s.Dir())
	if len(ents) != 0 {
		t.Errorf("the models directory holds %d entries after a refused install", len(ents))
	}
}

func TestConflict(t *testing.T) {
	pub, priv := otatest.Key(t)
	s, err := Open(t.TempDir(), sign.NewTrust(pub), bundle.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if _, err := s.Install(otatest.Shapes(t, src, priv, "1.0.0")); err != nil {
		t.Fatal(err)
	}
	other := otatest.Write(t, t.TempDir(), otatest.Shuffled(t, "1.0.0"), priv)
	if _, err := s.Install(other); !errors.Is(err, ErrConflict) {
		t.Fatalf("Install of other content under an installed version = %v; want ErrConflict", err)
	}
}

func TestResolveFallsBack(t *testing.T) {
	s, mk, data := newStore(t)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, err := s.Install(mk(v)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetActive(v); err != nil {
			t.Fatal(err)
		}
	}
	v, reason, err := s.Resolve()
	if err != nil || v.Version != "1.1.0" || reason != "" {
		t.Fatalf("Resolve = %v, %q, %v; want 1.1.0", v, reason, err)
	}
	// Corrupt the active model on disk: the device must start on 1.0.0.
	mp := filepath.Join(data, "models", "1.1.0", bundle.ModelMember)
	m, _ := os.ReadFile(mp)
	m[500] ^= 0xff
	os.WriteFile(mp, m, 0o644)
	v, reason, err = s.Resolve()
	if err != nil || v.Version != "1.0.0" || reason == "" {
		t.Fatalf("Resolve with a corrupt active = %v, %q, %v; want 1.0.0 with a reason", v, reason, err)
	}
	if a, p, _ := s.Pointers(); a != "1.0.0" || p != "" {
		t.Errorf("pointers after fall-back = %q, %q; want 1.0.0, none", a, p)
	}
	// Corrupt that one too: no installed model may run.
	os.Remove(filepath.Join(data, "models", "1.0.0", "labels.txt"))
	if v, _, err := s.Resolve(); !errors.Is(err, ErrNoActive) || v != nil {
		t.Fatalf("Resolve with nothing valid = %v, %v; want ErrNoActive", v, err)
	}
}

func TestOpenRemovesStaging(t *testing.T) {
	s, _, data := newStore(t)
	stale := filepath.Join(s.Dir(), stagingPrefix+"123")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "model.tflite"), []byte("half"), 0o644)
	pub, _ := otatest.Key(t)
	if _, err := Open(data, sign.NewTrust(pub), bundle.Limits{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("staging directory survived Open: %v", err)
	}
}

func TestFree(t *testing.T) {
	s, _, _ := newStore(t)
	n, err := s.Free()
	if err != nil || n == 0 {
		t.Fatalf("Free = %d, %v", n, err)
	}
}
