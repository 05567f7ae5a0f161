// Package sign holds the Ed25519 keys that sign model bundles and
// deployment messages, and the list of public keys a device trusts.
//
// Every signature covers a purpose string and the exact bytes signed
// (Message), so a signature made for a bundle manifest can never be replayed
// as a deployment message or the other way round, even though both are
// signed with the same keys.
//
// A key is named by its key id: the first 8 bytes of the sha256 of the
// 32-byte public key, in hex (16 characters). Signed documents name the key
// id that signed them; a device looks it up in its Trust, so rotating keys
// means listing the old and the new key until every bundle and deployment
// in use is signed by the new one.
package sign

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

var (
	// ErrUnknownKey marks a signature by a key the device does not trust.
	ErrUnknownKey = errors.New("signed by a key that is not in ota.trusted_keys")
	// ErrBadSignature marks a signature that does not match the signed
	// bytes: they were altered, or signed by another key.
	ErrBadSignature = errors.New("signature does not match (the signed data was altered or signed with another key)")
	// ErrBadKey marks a key file or key string that cannot be read.
	ErrBadKey = errors.New("not an Ed25519 key")
)

// Purposes prefix the signed bytes; see Message.
const (
	PurposeManifest   = "fovea bundle manifest v1"
	PurposeDeployment = "fovea deployment v1"
)

// Message is what is actually signed: purpose, a NUL byte, then data.
func Message(purpose string, data []byte) []byte {
	m := make([]byte, 0, len(purpose)+1+len(data))
	m = append(m, purpose...)
	m = append(m, 0)
	return append(m, data...)
}

// KeyID names a public key: hex of the first 8 bytes of its sha256.
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// ValidKeyID reports whether s has the form of a key id.
func ValidKeyID(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Sign signs data for purpose and returns the signature and the key id.
func Sign(priv ed25519.PrivateKey, purpose string, data []byte) (sig []byte, keyID string) {
	pub := priv.Public().(ed25519.PublicKey)
	return ed25519.Sign(priv, Message(purpose, data)), KeyID(pub)
}

// Trust is the set of public keys a device accepts signatures from. The
// zero value trusts nothing. It is immutable after construction and safe
// for concurrent use.
type Trust struct {
	keys map[string]ed25519.PublicKey
}

// NewTrust trusts the given keys.
func NewTrust(keys ...ed25519.PublicKey) *Trust {
	t := &Trust{keys: make(map[string]ed25519.PublicKey, len(keys))}
	for _, k := range keys {
		t.keys[KeyID(k)] = k
	}
	return t
}

// Len is the number of trusted keys.
func (t *Trust) Len() int {
	if t == nil {
		return 0
	}
	return len(t.keys)
}

// IDs lists the trusted key ids (unordered).
func (t *Trust) IDs() []string {
	if t == nil {
		return nil
	}
	ids := make([]string, 0, len(t.keys))
	for id := range t.keys {
		ids = append(ids, id)
	}
	return ids
}

// Verify checks that sig is keyID's signature of data for purpose.
func (t *Trust) Verify(keyID, purpose string, data, sig []byte) error {
	var k ed25519.PublicKey
	if t != nil {
		k = t.keys[keyID]
	}
	if k == nil {
		return fmt.Errorf("sign.Verify: key id %q: %w", keyID, ErrUnknownKey)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k, Message(purpose, data), sig) {
		return fmt.Errorf("sign.Verify: key id %s: %w", keyID, ErrBadSignature)
	}
	return nil
}
