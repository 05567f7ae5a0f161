package mjpeg

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	jpg := "\xff\xd8body\r\n--notreally\n\xff\xd9"
	tests := []struct {
		name     string
		boundary string
		stream   string
		want     []string // part bodies
		wantErr  error    // after the parts
	}{
		{"content-length", "b", "--b\r\nContent-Length: 3\r\n\r\nabc\r\n--b\r\nContent-Length: 2\r\n\r\nde\r\n", []string{"abc", "de"}, ErrStreamEnded},
		{"content-length binary with boundary inside", "b", "--b\r\nContent-Length: 10\r\n\r\nx\r\n--b\r\nyz\r\n--b--\r\n", []string{"x\r\n--b\r\nyz"}, ErrStreamEnded},
		{"scan", "b", "--b\r\nContent-Type: image/jpeg\r\n\r\nabc\r\n--b\r\n\r\nde\nf\r\n--b--\r\n", []string{"abc", "de\nf"}, ErrStreamEnded},
		{"scan jpeg-like", "b", "--b\r\n\r\n" + jpg + "\r\n--b--\r\n", []string{jpg}, ErrStreamEnded},
		{"preamble and padding", "b", "junk\r\nmore junk\r\n--b  \r\n\r\nabc\r\n--b\t\r\n\r\nd\r\n--b--", []string{"abc", "d"}, ErrStreamEnded},
		{"dashed param, short delimiter", "--b", "--b\r\nContent-Length: 1\r\n\r\nx\r\n--b\r\nContent-Length: 1\r\n\r\ny\r\n", []string{"x", "y"}, ErrStreamEnded},
		{"prefix of a longer boundary is not a boundary", "b", "--b\r\n\r\nab\r\n--bc\r\nd\r\n--b--\r\n", []string{"ab\r\n--bc\r\nd"}, ErrStreamEnded},
		{"cut mid content-length part", "b", "--b\r\nContent-Length: 10\r\n\r\nabc", nil, io.ErrUnexpectedEOF},
		{"cut mid scanned part", "b", "--b\r\n\r\nabc", nil, io.ErrUnexpectedEOF},
		{"cut in headers", "b", "--b\r\nContent-Le", nil, io.ErrUnexpectedEOF},
		{"no boundary", "b", strings.Repeat("garbage\n", 200), nil, ErrNoBoundary},
		{"too large by length", "b", "--b\r\nContent-Length: 5000\r\n\r\n", nil, ErrPartTooLarge},
		{"too large by scanning", "b", "--b\r\n\r\n" + strings.Repeat("x", 5000), nil, ErrPartTooLarge},
		{"negative length", "b", "--b\r\nContent-Length: -4\r\n\r\n", nil, ErrBadHeader},
		{"header without colon", "b", "--b\r\nbogus\r\n\r\n", nil, ErrBadHeader},
		{"too many headers", "b", "--b\r\n" + strings.Repeat("X: y\r\n", 100), nil, ErrBadHeader},
		{"empty stream", "b", "", nil, ErrStreamEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.stream), tt.boundary, 1024)
			var got []string
			var err error
			for {
				var p Part
				if p, err = r.NextPart(); err != nil {
					break
				}
				got = append(got, string(p.Body))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("parts = %q; want %q", got, tt.want)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("final error = %v; want %v", err, tt.wantErr)
			}
		})
	}
}

// slowReader returns one byte per Read, so that buffered-data heuristics
// and split lines are exercised.
type slowReader struct{ r io.Reader }

func (s slowReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return s.r.Read(p)
}

func TestReaderByteByByte(t *testing.T) {
	stream := plain.stream(t, 0, 3)
	scan := style{param: "frame", delim: "--frame", nl: "\r\n", partType: "image/jpeg"}.stream(t, 0, 3)
	for name, data := range map[string][]byte{"content-length": stream, "scan": scan} {
		r := NewReader(slowReader{bytes.NewReader(data)}, "frame", 0)
		for i := range 3 {
			p, err := r.NextPart()
			if err != nil {
				t.Fatalf("%s: part %d: %v", name, i, err)
			}
			if want := jpegFrame(t, palette(i)); !bytes.Equal(p.Body, want) {
				t.Errorf("%s: part %d has %d bytes; want the %d-byte JPEG", name, i, len(p.Body), len(want))
			}
		}
	}
}

// FuzzReader feeds arbitrary bytes to the multipart parser: it must end
// with an error, never panic, loop forever or return a part over its cap.
func FuzzReader(f *testing.F) {
	f.Add([]byte("--b\r\nContent-Length: 3\r\n\r\nabc\r\n--b\r\n\r\nde\r\n--b--\r\n"), false)
	f.Add([]byte("--b\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xd9\r\n--b\r\n"), true)
	f.Add([]byte("preamble\n--b\nX: y\n\nbody\n--b--"), false)
	f.Add(plain.stream(f, 0, 1), false)
	f.Fuzz(func(t *testing.T, data []byte, slow bool) {
		var src io.Reader = bytes.NewReader(data)
		if slow {
			src = slowReader{src}
		}
		boundary := "b"
		if bytes.Contains(data, []byte("--frame")) {
			boundary = "frame"
		}
		r := NewReader(src, boundary, 512)
		for i := 0; ; i++ {
			p, err := r.NextPart()
			if err != nil {
				return
			}
			if len(p.Body) > 512 {
				t.Fatalf("part of %d bytes over the 512-byte cap", len(p.Body))
			}
			if i > len(data) {
				t.Fatalf("%d parts from %d bytes: not making progress", i, len(data))
			}
		}
	})
}
