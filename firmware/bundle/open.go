package bundle

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fovea-edge/fovea/firmware/sign"
)

// Verified is a bundle whose signature, manifest and members all checked
// out.
type Verified struct {
	Manifest *Manifest
	// ManifestBytes are the signed bytes, verbatim.
	ManifestBytes []byte
	// Signature is the Ed25519 signature over them.
	Signature []byte
}

// Verify reads a whole bundle from r and checks it against trust without
// keeping any member: the signature over the manifest (before the manifest
// is parsed), the manifest, the limits, then every member's name, size and
// sha256, and that nothing follows the last member.
func Verify(r io.Reader, trust *sign.Trust, lim Limits) (*Verified, error) {
	v, err := read(r, orNone(trust), lim, discard{})
	if err != nil {
		return nil, fmt.Errorf("bundle.Verify: %w", err)
	}
	return v, nil
}

// VerifyFile is Verify of a file.
func VerifyFile(path string, trust *sign.Trust, lim Limits) (*Verified, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bundle.Verify: %w", err)
	}
	defer f.Close()
	return Verify(bufio.NewReaderSize(f, 64<<10), trust, lim)
}

// Extract verifies the bundle like Verify while writing each member into
// dir, which must exist, plus manifest.json (the signed bytes) and
// manifest.sig. Every file is synced; syncing dir and renaming it into
// place is the caller's (the store's). On error the files Extract created
// are removed.
func Extract(r io.Reader, trust *sign.Trust, dir string, lim Limits) (*Verified, error) {
	s := &dirSink{dir: dir}
	v, err := read(r, orNone(trust), lim, s)
	if err == nil {
		err = s.writeSigned(v)
	}
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("bundle.Extract: %w", err)
	}
	return v, nil
}

// ExtractFile is Extract of a file.
func ExtractFile(path string, trust *sign.Trust, dir string, lim Limits) (*Verified, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bundle.Extract: %w", err)
	}
	defer f.Close()
	return Extract(bufio.NewReaderSize(f, 64<<10), trust, dir, lim)
}

// Inspect reads a bundle without checking its signature (for a person to
// look at: nothing in it is trusted) but with every other check of Verify.
// It returns what it could read along with the first problem, so a broken
// bundle can still be shown.
func Inspect(r io.Reader, lim Limits) (*Verified, error) {
	v, err := read(r, nil, lim, discard{})
	if err != nil {
		return v, fmt.Errorf("bundle.Inspect: %w", err)
	}
	return v, nil
}

// orNone makes a nil trust list trust nothing: only Inspect skips the
// signature check.
func orNone(t *sign.Trust) *sign.Trust {
	if t == nil {
		return sign.NewTrust()
	}
	return t
}

// read does the work of Verify, Extract and Inspect; trust nil skips the
// signature check (Inspect only).
func read(r io.Reader, trust *sign.Trust, lim Limits, s sink) (*Verified, error) {
	lim = lim.orDefault()
	h, err := readHeader(r, lim)
	if err != nil {
		return nil, err
	}
	if trust != nil {
		id, err := signedKeyID(h.manifest)
		if err != nil {
			return nil, err
		}
		if err := trust.Verify(id, sign.PurposeManifest, h.manifest, h.sig); err != nil {
			return nil, err
		}
	}
	m, err := ParseManifest(h.manifest)
	if err != nil {
		return nil, err
	}
	v := &Verified{Manifest: m, ManifestBytes: h.manifest, Signature: h.sig}
	if err := lim.check(m); err != nil {
		return v, err
	}
	return v, readMembers(r, m, s)
}

// signedKeyID finds the key id of a not yet verified manifest. Only that
// one field is decoded before the signature is checked.
func signedKeyID(manifest []byte) (string, error) {
	var k struct {
		KeyID string `json:"key_id"`
	}
	if err := jsonUnmarshal(manifest, &k); err != nil || !sign.ValidKeyID(k.KeyID) {
		return "", fmt.Errorf("%w: no valid key_id to check the signature with", ErrManifest)
	}
	return k.KeyID, nil
}

type discard struct{}

func (discard) open(File) (io.Writer, error) { return io.Discard, nil }
func (discard) done(File, bool) error        { return nil }

// dirSink writes members into a directory.
type dirSink struct {
	dir     string
	cur     *os.File
	created []string
}

func (s *dirSink) open(f File) (io.Writer, error) {
	p := filepath.Join(s.dir, f.Name)
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	s.created = append(s.created, p)
	s.cur = fh
	return fh, nil
}

func (s *dirSink) done(_ File, ok bool) error {
	fh := s.cur
	s.cur = nil
	if !ok {
		return fh.Close()
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

func (s *dirSink) writeSigned(v *Verified) error {
	for _, f := range []struct {
		name string
		data []byte
	}{{ManifestFile, v.ManifestBytes}, {SignatureFile, v.Signature}} {
		w, err := s.open(File{Name: f.name})
		if err != nil {
			return err
		}
		_, err = w.Write(f.data)
		if err2 := s.done(File{}, err == nil); err == nil {
			err = err2
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *dirSink) cleanup() {
	if s.cur != nil {
		s.cur.Close()
	}
	for _, p := range s.created {
		_ = os.Remove(p) // best effort: the caller removes the directory too
	}
}
