package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/infer"
)

// fuzzSeed is a fixed key, so the fuzz corpus's good bundles stay valid.
var fuzzSeed = bytes.Repeat([]byte{7}, ed25519.SeedSize)

// tinyBundle is a signed bundle with small members, made without loading
// a model, so that fuzz workers start fast.
func tinyBundle(t testing.TB, priv ed25519.PrivateKey) (*Manifest, []member, []byte) {
	t.Helper()
	members := []member{{ModelMember, bytes.Repeat([]byte("TFL3"), 16)}, {LabelsMember, []byte("a\nb\n")}, {"test-00.png", []byte("not really a png")}}
	m := &Manifest{
		Format: FormatVersion, Name: "tiny", Version: "0.1.0", KeyID: sign.KeyID(priv.Public().(ed25519.PublicKey)),
		Model: ModelMember, Labels: LabelsMember,
		Input: Input{Shape: []int{1, 8, 8, 3}, DType: "uint8", Resize: "pillow"},
		Tests: []TestVector{{Input: "test-00.png", Top: []Expect{{Label: "a", Index: 0, Score: 0.5}}, Tolerance: 0.02}},
	}
	for _, mem := range members {
		m.Files = append(m.Files, File{Name: mem.name, Size: int64(len(mem.data)), SHA256: infer.SHA256(mem.data)})
	}
	return m, members, resign(t, priv, m, members)
}

func FuzzManifest(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(fuzzSeed)
	_, _, b := tinyBundle(f, priv)
	h, err := readHeader(bytes.NewReader(b), DefaultLimits)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(h.manifest)
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`{"format":1,"files":[{"name":"a","size":-1}]} {}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("ParseManifest error %v does not wrap ErrManifest", err)
			}
			return
		}
		// What parsed must survive a round trip.
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseManifest(again); err != nil {
			t.Fatalf("re-encoded manifest does not parse: %v\n%s", err, again)
		}
	})
}

func FuzzOpenBundle(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(fuzzSeed)
	trust := sign.NewTrust(priv.Public().(ed25519.PublicKey))
	_, _, b := tinyBundle(f, priv)
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte(Magic + "\x00\x00\x00\x02{}"))
	lim := Limits{Manifest: 64 << 10, Model: 1 << 20, Member: 1 << 20, Total: 2 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Verify(bytes.NewReader(data), trust, lim)
		if err == nil && v.Manifest == nil {
			t.Fatal("Verify returned no manifest and no error")
		}
		if err == nil && !bytes.Equal(data, b) {
			// Anything else that verifies must be signed by the key; the
			// only signed inputs are the seeds, and their members must
			// then hash correctly.
			if _, err := ParseManifest(v.ManifestBytes); err != nil {
				t.Fatalf("verified bundle has invalid manifest: %v", err)
			}
		}
		_, _ = Inspect(bytes.NewReader(data), lim)
	})
}
