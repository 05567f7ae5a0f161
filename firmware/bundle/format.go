package bundle

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// Magic starts every bundle: "FOVEAB", a NUL, and the format version.
const Magic = "FOVEAB\x00\x01"

// Reserved names an extracted bundle uses beside its members.
const (
	ManifestFile  = "manifest.json"
	SignatureFile = "manifest.sig"
)

// Limits bound what a reader accepts; zero fields take DefaultLimits'.
type Limits struct {
	Manifest int64 // manifest bytes
	Model    int64 // the model member
	Member   int64 // every other member
	Total    int64 // all members together
}

// DefaultLimits fit models far larger than an edge board runs, and keep a
// hostile bundle from claiming more.
var DefaultLimits = Limits{
	Manifest: 256 << 10,
	Model:    256 << 20,
	Member:   16 << 20,
	Total:    320 << 20,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.Manifest > 0 {
		d.Manifest = l.Manifest
	}
	if l.Model > 0 {
		d.Model = l.Model
	}
	if l.Member > 0 {
		d.Member = l.Member
	}
	if l.Total > 0 {
		d.Total = l.Total
	}
	return d
}

// check reports a manifest whose members exceed the limits.
func (l Limits) check(m *Manifest) error {
	var total int64
	for _, f := range m.Files {
		limit := l.Member
		if f.Name == m.Model {
			limit = l.Model
		}
		if f.Size > limit {
			return fmt.Errorf("%w: member %q has %d bytes; the limit is %d", ErrTooLarge, f.Name, f.Size, limit)
		}
		total += f.Size
	}
	if total > l.Total {
		return fmt.Errorf("%w: members total %d bytes; the limit is %d", ErrTooLarge, total, l.Total)
	}
	return nil
}

// header is the part of a bundle before the members.
type header struct {
	manifest []byte
	sig      []byte
}

func readHeader(r io.Reader, lim Limits) (*header, error) {
	var fixed [len(Magic) + 4]byte
	if n, err := io.ReadFull(r, fixed[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if k := min(n, len(Magic)); n == 0 || string(fixed[:k]) != Magic[:k] {
				return nil, ErrNotBundle
			}
			return nil, fmt.Errorf("%w: in the header", ErrTruncated)
		}
		return nil, err
	}
	if string(fixed[:len(Magic)]) != Magic {
		if string(fixed[:6]) == Magic[:6] {
			return nil, fmt.Errorf("%w: format %d; this agent reads format %d", ErrNotBundle, fixed[7], Magic[7])
		}
		return nil, ErrNotBundle
	}
	n := int64(binary.BigEndian.Uint32(fixed[len(Magic):]))
	if n == 0 || n > lim.Manifest {
		return nil, fmt.Errorf("%w: manifest of %d bytes; the limit is %d", ErrTooLarge, n, lim.Manifest)
	}
	buf := make([]byte, n+ed25519.SignatureSize)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: in the manifest or signature", ErrTruncated)
		}
		return nil, err
	}
	return &header{manifest: buf[:n:n], sig: buf[n:]}, nil
}

// sink receives the members: open returns where a member's bytes go, done
// is told whether they were complete and matched.
type sink interface {
	open(f File) (io.Writer, error)
	done(f File, ok bool) error
}

// readMembers streams the members listed in m from r into s, checking
// names, sizes, hashes and that nothing follows.
func readMembers(r io.Reader, m *Manifest, s sink) error {
	h := sha256.New()
	for i, f := range m.Files {
		var nlen [1]byte
		if _, err := io.ReadFull(r, nlen[:]); err != nil {
			return truncated(err, fmt.Sprintf("member %d (%q) is missing", i, f.Name))
		}
		hdr := make([]byte, int(nlen[0])+8)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return truncated(err, fmt.Sprintf("in the header of member %d", i))
		}
		name, size := string(hdr[:nlen[0]]), int64(binary.BigEndian.Uint64(hdr[nlen[0]:]))
		if name != f.Name {
			return fmt.Errorf("%w: member %d is %q; the manifest lists %q", ErrMismatch, i, name, f.Name)
		}
		if size != f.Size {
			return fmt.Errorf("%w: member %q has %d bytes; the manifest says %d", ErrMismatch, name, size, f.Size)
		}
		w, err := s.open(f)
		if err != nil {
			return err
		}
		h.Reset()
		n, err := io.CopyN(io.MultiWriter(w, h), r, size)
		if err != nil {
			_ = s.done(f, false)
			if n < size && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
				return fmt.Errorf("%w: member %q has %d of %d bytes", ErrTruncated, name, n, size)
			}
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
			_ = s.done(f, false)
			return fmt.Errorf("%w: member %q has sha256 %s; the manifest says %s", ErrHash, name, got, f.SHA256)
		}
		if err := s.done(f, true); err != nil {
			return err
		}
	}
	var extra [1]byte
	switch n, err := io.ReadFull(r, extra[:]); {
	case n > 0:
		return fmt.Errorf("%w: data after the last member (a member the manifest does not list?)", ErrMismatch)
	case err == io.EOF:
		return nil
	default:
		return err
	}
}

func truncated(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s", ErrTruncated, where)
	}
	return err
}

// member is one file to write into a bundle.
type member struct {
	name string
	data []byte
}

// writeBundle writes the container around already signed manifest bytes.
func writeBundle(w io.Writer, manifest, sig []byte, members []member) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(Magic)
	var n [8]byte
	binary.BigEndian.PutUint32(n[:4], uint32(len(manifest)))
	bw.Write(n[:4])
	bw.Write(manifest)
	bw.Write(sig)
	for _, m := range members {
		bw.WriteByte(byte(len(m.name)))
		bw.WriteString(m.name)
		binary.BigEndian.PutUint64(n[:], uint64(len(m.data)))
		bw.Write(n[:])
		bw.Write(m.data)
	}
	return bw.Flush()
}
