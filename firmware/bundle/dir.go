package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/fovea-edge/fovea/firmware/sign"
)

// VerifyDir checks a directory written by Extract again: the signature of
// manifest.json against trust (a key removed from the trust list revokes
// the models it signed), and every member's size and sha256. It catches
// storage corruption and files changed by hand. Files the manifest does
// not list are an error too.
func VerifyDir(dir string, trust *sign.Trust, lim Limits) (*Verified, error) {
	lim = lim.orDefault()
	fail := func(err error) (*Verified, error) { return nil, fmt.Errorf("bundle.VerifyDir %s: %w", dir, err) }
	mb, err := readCapped(filepath.Join(dir, ManifestFile), lim.Manifest)
	if err != nil {
		return fail(err)
	}
	sig, err := readCapped(filepath.Join(dir, SignatureFile), 64)
	if err != nil {
		return fail(err)
	}
	id, err := signedKeyID(mb)
	if err != nil {
		return fail(err)
	}
	if err := orNone(trust).Verify(id, sign.PurposeManifest, mb, sig); err != nil {
		return fail(err)
	}
	m, err := ParseManifest(mb)
	if err != nil {
		return fail(err)
	}
	if err := lim.check(m); err != nil {
		return fail(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fail(err)
	}
	for _, e := range ents {
		if n := e.Name(); n != ManifestFile && n != SignatureFile && m.File(n) == nil {
			return fail(fmt.Errorf("%w: %q is not in the manifest", ErrMismatch, n))
		}
	}
	for _, f := range m.Files {
		if err := checkFile(filepath.Join(dir, f.Name), f); err != nil {
			return fail(err)
		}
	}
	return &Verified{Manifest: m, ManifestBytes: mb, Signature: sig}, nil
}

func checkFile(path string, f File) error {
	fh, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%w: member %q is missing", ErrMismatch, f.Name)
		}
		return err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(fh, f.Size+1))
	if err != nil {
		return err
	}
	if n != f.Size {
		return fmt.Errorf("%w: member %q has %d bytes; the manifest says %d", ErrMismatch, f.Name, n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: member %q has sha256 %s; the manifest says %s", ErrHash, f.Name, got, f.SHA256)
	}
	return nil
}

// readCapped reads a file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, filepath.Base(path), limit)
	}
	return slices.Clip(b), nil
}
