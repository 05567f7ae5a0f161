package mjpeg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what a stream may send before the reader gives up on it.
const (
	// DefaultMaxPart caps one part's body (a 4K JPEG is about 2 MB).
	DefaultMaxPart = 8 << 20
	// maxHeaderBytes caps the header block of one part.
	maxHeaderBytes = 16 << 10
	// maxHeaders caps the number of header lines of one part.
	maxHeaders = 64
)

var (
	// ErrNoBoundary: the stream sent more than the part cap without a
	// boundary line, so it is not (or no longer) a multipart stream.
	ErrNoBoundary = errors.New("no multipart boundary found")
	// ErrPartTooLarge: a part is larger than the part cap.
	ErrPartTooLarge = errors.New("multipart part too large")
	// ErrBadHeader: a part's header block is malformed or too large.
	ErrBadHeader = errors.New("malformed multipart part header")
	// ErrStreamEnded: the server closed the stream (a closing boundary or
	// the end of the HTTP body). For a live camera this is transient.
	ErrStreamEnded = errors.New("mjpeg stream ended")
)

// Part is one part of a multipart stream.
type Part struct {
	// ContentType is the part's Content-Type header, "" when absent.
	ContentType string
	// Body is the part's content; it is valid until the next call of
	// NextPart.
	Body []byte
}

// Reader splits a multipart/x-mixed-replace stream into parts. It uses a
// part's Content-Length when the header is present and sane, and otherwise
// scans for the next boundary line, which is how mjpg-streamer, motion and
// most IP cameras' streams are read. A Reader is not safe for concurrent
// use.
type Reader struct {
	br      *bufio.Reader
	delims  [][]byte // accepted boundary lines, without line ending
	maxPart int
	body    []byte // reused buffer for Part.Body
	// atHeaders is set when the boundary line before the next part was
	// already consumed (after a part read by scanning).
	atHeaders bool
	ended     bool
}

// NewReader returns a Reader for a stream whose Content-Type carries
// boundary. Many cameras send "boundary=--myboundary" and then delimit
// with "--myboundary"; both that and the RFC 2046 form "----myboundary"
// are accepted. maxPart ≤ 0 means DefaultMaxPart.
func NewReader(r io.Reader, boundary string, maxPart int) *Reader {
	if maxPart <= 0 {
		maxPart = DefaultMaxPart
	}
	delims := [][]byte{[]byte("--" + boundary)}
	if strings.HasPrefix(boundary, "--") {
		delims = append(delims, []byte(boundary))
	}
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), delims: delims, maxPart: maxPart}
}

// boundaryKind classifies a line: 0 = not a boundary, 1 = boundary,
// 2 = closing boundary ("--boundary--").
func (r *Reader) boundaryKind(line []byte) int {
	line = bytes.TrimRight(line, " \t\r\n")
	for _, d := range r.delims {
		if !bytes.HasPrefix(line, d) {
			continue
		}
		switch rest := line[len(d):]; {
		case len(rest) == 0:
			return 1
		case string(rest) == "--":
			return 2
		}
	}
	return 0
}

// NextPart reads the next part. At the end of the stream it returns an
// error wrapping ErrStreamEnded; a stream cut mid-part gives
// io.ErrUnexpectedEOF.
func (r *Reader) NextPart() (Part, error) {
	if r.ended {
		return Part{}, ErrStreamEnded
	}
	if !r.atHeaders {
		if err := r.skipToBoundary(); err != nil {
			return Part{}, err
		}
	}
	r.atHeaders = false
	ctype, length, err := r.readHeaders()
	if err != nil {
		return Part{}, err
	}
	if length >= 0 {
		if length > r.maxPart {
			return Part{}, fmt.Errorf("mjpeg: part of %d bytes (Content-Length) over the %d-byte cap: %w", length, r.maxPart, ErrPartTooLarge)
		}
		r.body = grow(r.body, length)
		if _, err := io.ReadFull(r.br, r.body); err != nil {
			return Part{}, unexpected(err)
		}
		return Part{ContentType: ctype, Body: r.body}, nil
	}
	body, err := r.scanBody()
	if err != nil {
		return Part{}, err
	}
	return Part{ContentType: ctype, Body: body}, nil
}

// skipToBoundary discards lines up to and including the next boundary
// line (a preamble, the CRLF after a Content-Length body, garbage).
func (r *Reader) skipToBoundary() error {
	skipped := 0
	lineStart := true
	for {
		line, err := r.br.ReadSlice('\n')
		if lineStart && (err == nil || err == io.EOF) {
			switch r.boundaryKind(line) {
			case 1:
				return nil
			case 2:
				r.ended = true
				return ErrStreamEnded
			}
		}
		skipped += len(line)
		if skipped > r.maxPart {
			return fmt.Errorf("mjpeg: %d bytes without a boundary line: %w", skipped, ErrNoBoundary)
		}
		switch {
		case err == bufio.ErrBufferFull:
			lineStart = false
		case err == io.EOF:
			// between parts: nothing was lost
			return ErrStreamEnded
		case err != nil:
			return err
		default:
			lineStart = true
		}
	}
}

// readHeaders reads a part's header lines up to the blank line and
// returns its Content-Type and Content-Length (-1 when absent).
func (r *Reader) readHeaders() (ctype string, length int, err error) {
	length = -1
	total := 0
	for n := 0; ; n++ {
		line, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return "", 0, fmt.Errorf("mjpeg: header line longer than %d bytes: %w", r.br.Size(), ErrBadHeader)
		}
		if err != nil {
			return "", 0, unexpected(err)
		}
		total += len(line)
		if total > maxHeaderBytes || n >= maxHeaders {
			return "", 0, fmt.Errorf("mjpeg: part header over %d bytes or %d lines: %w", maxHeaderBytes, maxHeaders, ErrBadHeader)
		}
		text := strings.TrimSpace(string(line))
		if text == "" {
			return ctype, length, nil
		}
		key, val, ok := strings.Cut(text, ":")
		if !ok {
			return "", 0, fmt.Errorf("mjpeg: part header line %q has no colon: %w", truncate(text), ErrBadHeader)
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "content-type":
			ctype = val
		case "content-length":
			l, err := strconv.Atoi(val)
			if err != nil || l < 0 {
				return "", 0, fmt.Errorf("mjpeg: Content-Length %q: %w", truncate(val), ErrBadHeader)
			}
			length = l
		}
	}
}

// scanBody reads a body that has no Content-Length: everything up to the
// next boundary line, minus the line break before it.
func (r *Reader) scanBody() ([]byte, error) {
	r.body = r.body[:0]
	lineStart := true
	for {
		line, err := r.br.ReadSlice('\n')
		if lineStart && (err == nil || err == io.EOF) {
			if k := r.boundaryKind(line); k != 0 {
				r.atHeaders = true
				r.ended = k == 2
				return trimJPEG(r.body), nil
			}
		}
		if len(r.body)+len(line) > r.maxPart {
			return nil, fmt.Errorf("mjpeg: part over the %d-byte cap without a boundary: %w", r.maxPart, ErrPartTooLarge)
		}
		r.body = append(r.body, line...)
		switch {
		case err == bufio.ErrBufferFull:
			lineStart = false
		case err == io.EOF && endsJPEG(r.body):
			// the server closed the stream after a whole frame
			r.ended = true
			return trimJPEG(r.body), nil
		case err != nil:
			return nil, unexpected(err)
		case r.br.Buffered() == 0 && endsJPEG(r.body):
			// The part looks complete and the server sent nothing more
			// yet: deliver it now rather than a frame late, when the next
			// boundary arrives. (If it was not complete after all, the
			// decode fails and the rest is skipped up to the boundary.)
			return trimJPEG(r.body), nil
		default:
			lineStart = true
		}
	}
}

// endsJPEG reports whether b ends with a JPEG end-of-image marker,
// possibly followed by a line break.
func endsJPEG(b []byte) bool {
	return bytes.HasSuffix(trimJPEG(b), []byte{0xff, 0xd9})
}

func trimJPEG(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// unexpected turns a clean EOF inside a part into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
