package sign

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSignVerify(t *testing.T) {
	pub, priv, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	otherPub, otherPriv, _ := Generate()
	data := []byte(`{"version":"1.0.0"}`)
	sig, id := Sign(priv, PurposeManifest, data)
	if id != KeyID(pub) || !ValidKeyID(id) {
		t.Fatalf("key id %q; want %q", id, KeyID(pub))
	}
	otherSig, _ := Sign(otherPriv, PurposeManifest, data)
	altered := append([]byte(nil), data...)
	altered[3] ^= 1
	trust := NewTrust(pub, otherPub)
	tests := []struct {
		name          string
		keyID, purpos string
		data, sig     []byte
		want          error
	}{
		{"good", id, PurposeManifest, data, sig, nil},
		{"altered data", id, PurposeManifest, altered, sig, ErrBadSignature},
		{"other purpose", id, PurposeDeployment, data, sig, ErrBadSignature},
		{"other key's signature", id, PurposeManifest, data, otherSig, ErrBadSignature},
		{"short signature", id, PurposeManifest, data, sig[:10], ErrBadSignature},
		{"unknown key", "0123456789abcdef", PurposeManifest, data, sig, ErrUnknownKey},
	}
	for _, tt := range tests {
		err := trust.Verify(tt.keyID, tt.purpos, tt.data, tt.sig)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: Verify = %v; want %v", tt.name, err, tt.want)
		}
	}
	var none *Trust
	if err := none.Verify(id, PurposeManifest, data, sig); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("nil Trust: Verify = %v; want ErrUnknownKey", err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	pub, priv, _ := Generate()
	base := filepath.Join(dir, "ops")
	id, err := WriteKeyPair(base, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteKeyPair(base, pub, priv); err == nil {
		t.Error("WriteKeyPair overwrote an existing key")
	}
	st, err := os.Stat(base + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	gotPriv, err := LoadPrivate(base + ".key")
	if err != nil || !gotPriv.Equal(priv) {
		t.Fatalf("LoadPrivate = %v; want the written key", err)
	}
	gotPub, err := LoadPublic(base + ".pub")
	if err != nil || !gotPub.Equal(pub) || KeyID(gotPub) != id {
		t.Fatalf("LoadPublic = %v", err)
	}
	inline := filepath.Join(dir, "inline.pub")
	os.WriteFile(inline, []byte(Inline(pub)+"\n"), 0o644)
	trust, err := LoadTrust([]string{base + ".pub", Inline(pub), inline})
	if err != nil || trust.Len() != 1 {
		t.Fatalf("LoadTrust of one key three ways: %d keys, %v", trust.Len(), err)
	}
	if err := os.Chmod(base+".key", 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivate(base + ".key"); err == nil {
		t.Error("LoadPrivate accepted a world-readable key file")
	}
	_, err = LoadTrust([]string{"ed25519:AAAA", filepath.Join(dir, "missing.pub"), base + ".key"})
	if err == nil || !errors.Is(err, ErrBadKey) {
		t.Errorf("LoadTrust of bad entries = %v; want ErrBadKey among them", err)
	}
	if _, err := ParsePublic([]byte(Inline(ed25519.PublicKey(make([]byte, 31))))); !errors.Is(err, ErrBadKey) {
		t.Errorf("ParsePublic of a 31-byte key = %v; want ErrBadKey", err)
	}
}
