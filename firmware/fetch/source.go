package fetch

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/fovea-edge/fovea/internal/base/registry"
)

// Source is what the signed deployment says about the bundle to fetch:
// where it is and what it must be. Exactly one of URL and TransferID is set.
type Source struct {
	// URL is an http:// or https:// address of the bundle file.
	URL string
	// TransferID names a chunked transfer over MQTT (see ChunkServer).
	TransferID string
	// Size is the file's exact length in bytes.
	Size int64
	// SHA256 is the file's hash, 64 hex digits.
	SHA256 string
}

// Scheme returns the transport the source needs: the URL's scheme in lower
// case ("http", "https", or another a Mux may have a fetcher for), or
// "mqtt" for a transfer id.
func (s Source) Scheme() string {
	if s.TransferID != "" {
		return "mqtt"
	}
	if u, err := url.Parse(s.URL); err == nil {
		return strings.ToLower(u.Scheme)
	}
	return ""
}

// String names the source in logs and errors.
func (s Source) String() string {
	if s.TransferID != "" {
		return "mqtt transfer " + s.TransferID
	}
	return s.URL
}

// Validate reports what is wrong with s.
func (s Source) Validate() error {
	switch {
	case s.URL == "" && s.TransferID == "":
		return fmt.Errorf("%w: neither a URL nor an MQTT transfer id", ErrSource)
	case s.URL != "" && s.TransferID != "":
		return fmt.Errorf("%w: both a URL and an MQTT transfer id", ErrSource)
	case s.Size <= 0:
		return fmt.Errorf("%w: size %d (the deployment must announce the bundle's size)", ErrSource, s.Size)
	}
	if _, err := s.sum(); err != nil {
		return err
	}
	if s.TransferID != "" {
		return validTransferID(s.TransferID)
	}
	if u, err := url.Parse(s.URL); err != nil || u.Scheme == "" {
		return fmt.Errorf("%w: URL %q has no scheme (want https://host/path)", ErrSource, s.URL)
	}
	return nil
}

// sum decodes SHA256.
func (s Source) sum() ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s.SHA256)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%w: sha256 %q is not 64 hex digits", ErrSource, s.SHA256)
	}
	copy(h[:], b)
	return h, nil
}

// Fetcher brings the file described by src to dst. It writes
// dst+".partial" while it works (and may keep it, with small side files, to
// resume a later call), fsyncs it, checks size and SHA-256, and renames it
// to dst only when both match. progress, when not nil, is called with the
// bytes held so far and src.Size; it must be fast.
type Fetcher interface {
	Fetch(ctx context.Context, src Source, dst string, progress func(done, total int64)) error
}

// Mux is a Fetcher that hands each source to the fetcher registered for its
// scheme.
type Mux struct {
	reg *registry.Registry[Fetcher]
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{reg: registry.New[Fetcher]("fetch scheme")} }

// Handle registers f for scheme ("http", "https", "mqtt"). It panics on a
// duplicate scheme.
func (m *Mux) Handle(scheme string, f Fetcher) { m.reg.Register(scheme, f) }

// Fetch validates src and calls the fetcher for its scheme.
func (m *Mux) Fetch(ctx context.Context, src Source, dst string, progress func(done, total int64)) error {
	if err := src.Validate(); err != nil {
		return fmt.Errorf("fetch.Fetch: %w", err)
	}
	f, ok := m.reg.Lookup(src.Scheme())
	if !ok {
		return fmt.Errorf("fetch.Fetch: %w: no transport for %q in this agent (have %s)",
			ErrSource, src.Scheme(), strings.Join(m.reg.Names(), ", "))
	}
	return f.Fetch(ctx, src, dst, progress)
}
