package sign

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// InlinePrefix starts a public key written inline in a configuration:
// "ed25519:" followed by the standard base64 of the 32 key bytes.
const InlinePrefix = "ed25519:"

// maxKeyFile bounds how much of a key file is read.
const maxKeyFile = 16 << 10

// Generate makes a new key pair.
func Generate() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("sign.Generate: %w", err)
	}
	return pub, priv, nil
}

// MarshalPrivate encodes a private key as PEM "PRIVATE KEY" (PKCS #8), the
// form openssl reads.
func MarshalPrivate(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("sign.MarshalPrivate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublic encodes a public key as PEM "PUBLIC KEY" (PKIX).
func MarshalPublic(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("sign.MarshalPublic: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Inline formats a public key for a configuration file.
func Inline(pub ed25519.PublicKey) string {
	return InlinePrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParsePrivate reads a PEM PKCS #8 Ed25519 private key.
func ParsePrivate(data []byte) (ed25519.PrivateKey, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("sign.ParsePrivate: no PEM \"PRIVATE KEY\" block: %w", ErrBadKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sign.ParsePrivate: %w: %w", ErrBadKey, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sign.ParsePrivate: a %T: %w", k, ErrBadKey)
	}
	return priv, nil
}

// ParsePublic reads a public key as PEM "PUBLIC KEY" or as an inline
// "ed25519:BASE64" string.
func ParsePublic(data []byte) (ed25519.PublicKey, error) {
	s := strings.TrimSpace(string(data))
	if rest, ok := strings.CutPrefix(s, InlinePrefix); ok {
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("sign.ParsePublic: inline key is not base64 of %d bytes: %w", ed25519.PublicKeySize, ErrBadKey)
		}
		return ed25519.PublicKey(raw), nil
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("sign.ParsePublic: neither %q nor a PEM \"PUBLIC KEY\" block: %w", InlinePrefix+"…", ErrBadKey)
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("sign.ParsePublic: %w: %w", ErrBadKey, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("sign.ParsePublic: a %T: %w", k, ErrBadKey)
	}
	return pub, nil
}

// readSmall reads at most maxKeyFile bytes of a key file.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(buf) > maxKeyFile {
		return nil, fmt.Errorf("%s is larger than a key file (%d bytes): %w", path, maxKeyFile, ErrBadKey)
	}
	return buf, nil
}

// LoadPrivate reads a private key file and refuses one that other users
// can read.
func LoadPrivate(path string) (ed25519.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("sign.LoadPrivate: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("sign.LoadPrivate: %s has mode %v: a private key must be readable by its owner only (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	data, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("sign.LoadPrivate: %w", err)
	}
	k, err := ParsePrivate(data)
	if err != nil {
		return nil, fmt.Errorf("sign.LoadPrivate %s: %w", path, err)
	}
	return k, nil
}

// LoadPublic reads a public key file (PEM or inline form).
func LoadPublic(path string) (ed25519.PublicKey, error) {
	data, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("sign.LoadPublic: %w", err)
	}
	k, err := ParsePublic(data)
	if err != nil {
		return nil, fmt.Errorf("sign.LoadPublic %s: %w", path, err)
	}
	return k, nil
}

// LoadTrust builds a Trust from configuration entries: each is an inline
// "ed25519:BASE64" key or the path of a public key file. Every bad entry
// is reported.
func LoadTrust(entries []string) (*Trust, error) {
	var keys []ed25519.PublicKey
	var errs []error
	for _, e := range entries {
		var k ed25519.PublicKey
		var err error
		if strings.HasPrefix(e, InlinePrefix) {
			k, err = ParsePublic([]byte(e))
		} else {
			k, err = LoadPublic(e)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		keys = append(keys, k)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sign.LoadTrust: %w", err)
	}
	return NewTrust(keys...), nil
}

// WriteKeyPair writes base+".key" (mode 0600, refusing to overwrite) and
// base+".pub" and returns the key id.
func WriteKeyPair(base string, pub ed25519.PublicKey, priv ed25519.PrivateKey) (string, error) {
	privPEM, err := MarshalPrivate(priv)
	if err != nil {
		return "", err
	}
	pubPEM, err := MarshalPublic(pub)
	if err != nil {
		return "", err
	}
	if err := writeNew(base+".key", privPEM, 0o600); err != nil {
		return "", fmt.Errorf("sign.WriteKeyPair: %w", err)
	}
	if err := writeNew(base+".pub", pubPEM, 0o644); err != nil {
		return "", fmt.Errorf("sign.WriteKeyPair: %w", err)
	}
	return KeyID(pub), nil
}

func writeNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
