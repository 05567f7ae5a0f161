package bundle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/infer"
)

func TestCreateVerifyExtract(t *testing.T) {
	pub, priv := testKey(t)
	b := makeBundle(t, priv, "1.2.0")
	trust := sign.NewTrust(pub)
	v, err := Verify(bytes.NewReader(b), trust, Limits{})
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	m := v.Manifest
	if m.Name != "shapes" || m.Version != "1.2.0" || m.KeyID != sign.KeyID(pub) || len(m.Files) != 5 || len(m.Tests) != 3 {
		t.Fatalf("manifest %+v", m)
	}
	if !slices.Equal(m.Input.Shape, []int{1, 64, 64, 3}) || m.Input.DType != "int8" || m.Input.Resize != "pillow" {
		t.Errorf("input %+v; want int8 [1 64 64 3] pillow", m.Input)
	}
	model, _ := os.ReadFile(shapesModel)
	if m.ModelSHA256() != infer.SHA256(model) {
		t.Errorf("ModelSHA256 = %s; want the model file's %s", m.ModelSHA256(), infer.SHA256(model))
	}
	var eval bytes.Buffer
	if err := json.Compact(&eval, m.Provenance.Eval); err != nil || eval.String() != `{"top1":0.97,"top5":1,"ece":0.02,"n":1000}` {
		t.Errorf("eval kept as %s (%v)", m.Provenance.Eval, err)
	}

	dir := t.TempDir()
	if _, err := Extract(bytes.NewReader(b), trust, dir, Limits{}); err != nil {
		t.Fatalf("Extract = %v", err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ModelMember))
	if err != nil || !bytes.Equal(got, model) {
		t.Fatalf("extracted model differs (%v)", err)
	}
	if _, err := VerifyDir(dir, trust, Limits{}); err != nil {
		t.Fatalf("VerifyDir = %v", err)
	}
	labels, _ := os.ReadFile(filepath.Join(dir, LabelsMember))
	if string(labels) != "empty\ncircle\nsquare\ntriangle\nstar\n" {
		t.Errorf("labels.txt = %q; want the model's embedded labels", labels)
	}

	// The test vectors pass on the model they were made with.
	lm, err := infer.Open(filepath.Join(dir, ModelMember), infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := infer.NewClassifier(lm, infer.ClassifierOptions{Labels: infer.ParseLabels(labels)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := RunTests(context.Background(), c, m, func(n string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, n)) })
	if err != nil || len(res) != 3 {
		t.Fatalf("RunTests = %d results, %v", len(res), err)
	}
}

// TestRefusals checks every way a bundle is refused, each with a real
// tampered file and its sentinel.
func TestRefusals(t *testing.T) {
	pub, priv := testKey(t)
	otherPub, otherPriv := testKey(t)
	good := makeBundle(t, priv, "1.0.0")
	m, members := parts(t, good)
	mlen := len(good) - len(Magic) - 4 - 64 // manifest + members
	for _, mem := range members {
		mlen -= 1 + len(mem.name) + 8 + len(mem.data)
	}
	membersAt := len(Magic) + 4 + mlen + 64

	flip := func(off int) []byte {
		b := bytes.Clone(good)
		b[off] ^= 0x40
		return b
	}
	renamed := slices.Clone(members)
	renamed[1].name = "labels.TXT"
	extraMember := append(slices.Clone(members), member{"extra.bin", []byte("x")})
	swapped := slices.Clone(members)
	swapped[2], swapped[3] = swapped[3], swapped[2]
	unknownField := bytes.Replace(mustManifestBytes(t, good), []byte(`"notes"`), []byte(`"nodes"`), 1)
	badVersion := *m
	badVersion.Version = "1.0"
	traversal := *m
	traversal.Files = slices.Clone(m.Files)
	traversal.Files[2].Name = "../x.png"

	tests := []struct {
		name  string
		data  []byte
		trust *sign.Trust
		lim   Limits
		want  error
	}{
		{"unknown key", good, sign.NewTrust(otherPub), Limits{}, ErrUnknownKey},
		{"no trusted keys", good, sign.NewTrust(), Limits{}, ErrUnknownKey},
		{"nil trust list", good, nil, Limits{}, ErrUnknownKey},
		{"bad signature", flip(membersAt - 1), sign.NewTrust(pub), Limits{}, ErrBadSignature},
		{"altered manifest", flip(len(Magic) + 4 + 40), sign.NewTrust(pub), Limits{}, ErrBadSignature},
		{"signed by another trusted key, claiming ours", resignBytes(t, otherPriv, mustManifestBytes(t, good), members), sign.NewTrust(pub, otherPub), Limits{}, ErrBadSignature},
		{"model byte flipped", flip(membersAt + 1 + len(ModelMember) + 8 + 100), sign.NewTrust(pub), Limits{}, ErrHash},
		{"last byte flipped", flip(len(good) - 1), sign.NewTrust(pub), Limits{}, ErrHash},
		{"truncated in magic", good[:5], sign.NewTrust(pub), Limits{}, ErrTruncated},
		{"truncated in manifest", good[:len(Magic)+4+10], sign.NewTrust(pub), Limits{}, ErrTruncated},
		{"truncated in model", good[:membersAt+5000], sign.NewTrust(pub), Limits{}, ErrTruncated},
		{"truncated by one byte", good[:len(good)-1], sign.NewTrust(pub), Limits{}, ErrTruncated},
		{"member missing", resign(t, priv, m, members[:4]), sign.NewTrust(pub), Limits{}, ErrTruncated},
		{"member renamed", resign(t, priv, m, renamed), sign.NewTrust(pub), Limits{}, ErrMismatch},
		{"members reordered", resign(t, priv, m, swapped), sign.NewTrust(pub), Limits{}, ErrMismatch},
		{"extra member", resign(t, priv, m, extraMember), sign.NewTrust(pub), Limits{}, ErrMismatch},
		{"trailing bytes", append(bytes.Clone(good), 0), sign.NewTrust(pub), Limits{}, ErrMismatch},
		{"not a bundle", []byte("PK\x03\x04 this is a zip file, not a bundle"), sign.NewTrust(pub), Limits{}, ErrNotBundle},
		{"empty file", nil, sign.NewTrust(pub), Limits{}, ErrNotBundle},
		{"future format", append([]byte("FOVEAB\x00\x02"), good[8:]...), sign.NewTrust(pub), Limits{}, ErrNotBundle},
		{"model over the limit", good, sign.NewTrust(pub), Limits{Model: 1000}, ErrTooLarge},
		{"manifest over the limit", good, sign.NewTrust(pub), Limits{Manifest: 100}, ErrTooLarge},
		{"signed manifest with unknown field", resignBytes(t, priv, unknownField, members), sign.NewTrust(pub), Limits{}, ErrManifest},
		{"signed manifest with bad version", resign(t, priv, &badVersion, members), sign.NewTrust(pub), Limits{}, ErrManifest},
		{"signed manifest with path traversal", resign(t, priv, &traversal, members), sign.NewTrust(pub), Limits{}, ErrManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(tt.data), tt.trust, tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v; want %v", err, tt.want)
			}
			dir := t.TempDir()
			if _, err := Extract(bytes.NewReader(tt.data), tt.trust, dir, tt.lim); !errors.Is(err, tt.want) {
				t.Fatalf("Extract = %v; want %v", err, tt.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("Extract left %d files behind after refusing", len(ents))
			}
		})
	}
}

func mustManifestBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	h, err := readHeader(bytes.NewReader(b), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return h.manifest
}

func TestVerifyDirRefusals(t *testing.T) {
	pub, priv := testKey(t)
	otherPub, _ := testKey(t)
	good := makeBundle(t, priv, "1.0.0")
	trust := sign.NewTrust(pub)
	tests := []struct {
		name   string
		change func(dir string) error
		trust  *sign.Trust
		want   error
	}{
		{"key removed from trust", func(string) error { return nil }, sign.NewTrust(otherPub), ErrUnknownKey},
		{"model corrupted on disk", func(d string) error {
			return flipFile(filepath.Join(d, ModelMember), 200)
		}, trust, ErrHash},
		{"labels edited by hand", func(d string) error {
			return os.WriteFile(filepath.Join(d, LabelsMember), []byte("a\nb\nc\nd\ne\n"), 0o644)
		}, trust, ErrMismatch},
		{"test image deleted", func(d string) error { return os.Remove(filepath.Join(d, "test-01.png")) }, trust, ErrMismatch},
		{"stray file", func(d string) error { return os.WriteFile(filepath.Join(d, "evil.so"), nil, 0o644) }, trust, ErrMismatch},
		{"manifest edited", func(d string) error { return flipFile(filepath.Join(d, ManifestFile), 30) }, trust, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Extract(bytes.NewReader(good), trust, dir, Limits{}); err != nil {
				t.Fatal(err)
			}
			if err := tt.change(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyDir(dir, tt.trust, Limits{}); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyDir = %v; want %v", err, tt.want)
			}
		})
	}
}

func flipFile(path string, off int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b[off] ^= 1
	return os.WriteFile(path, b, 0o644)
}

func TestCheckInstall(t *testing.T) {
	m := &Manifest{Name: "shapes", Version: "1.4.0", MinAgentVersion: "0.9.0"}
	tests := []struct {
		installed, agent string
		allow            bool
		want             error
	}{
		{"", "1.0.0", false, nil},
		{"1.3.9", "1.0.0", false, nil},
		{"1.4.0", "1.0.0", false, ErrDowngrade},
		{"1.4.0-rc.1", "1.0.0", false, nil},
		{"2.0.0", "1.0.0", false, ErrDowngrade},
		{"2.0.0", "1.0.0", true, nil},
		{"1.0.0", "0.8.5", false, ErrAgentTooOld},
		{"1.0.0", "v0.9.0", false, nil},
		{"1.0.0", "dev", false, nil},
	}
	for _, tt := range tests {
		err := CheckInstall(m, tt.installed, tt.agent, tt.allow)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("CheckInstall(1.4.0, installed %q, agent %q, allow %v) = %v; want %v", tt.installed, tt.agent, tt.allow, err, tt.want)
		}
	}
}

func TestTestVectorMismatch(t *testing.T) {
	pub, priv := testKey(t)
	m, members := parts(t, makeBundle(t, priv, "1.0.0"))
	m.Tests[1].Top[0].Score -= 0.1
	b := resign(t, priv, m, members)
	dir := t.TempDir()
	v, err := Extract(bytes.NewReader(b), sign.NewTrust(pub), dir, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	lm, err := infer.Open(filepath.Join(dir, ModelMember), infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := infer.NewClassifier(lm, infer.ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = RunTests(context.Background(), c, v.Manifest, func(n string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, n)) })
	if !errors.Is(err, ErrTestVector) {
		t.Fatalf("RunTests = %v; want ErrTestVector", err)
	}
}
