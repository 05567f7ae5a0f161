package jpeg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// markerAt returns the offset of the first marker m (its FF byte).
func markerAt(t testing.TB, data []byte, m byte) int {
	t.Helper()
	i := bytes.Index(data, []byte{0xFF, m})
	if i < 0 {
		t.Fatalf("no marker %#02x", m)
	}
	return i
}

// patched returns a copy of data with fn applied.
func patched(data []byte, fn func([]byte) []byte) []byte {
	return fn(append([]byte(nil), data...))
}

func TestDecodeErrors(t *testing.T) {
	base := fixture(t, "baseline-420-61x45.jpg")
	prog := fixture(t, "progressive-420-61x45.jpg")
	sof := markerAt(t, base, mSOF0)
	sos := markerAt(t, base, mSOS)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrFormat},
		{"png", []byte("\x89PNG\r\n\x1a\n0000"), ErrFormat},
		{"soi only", []byte{0xFF, 0xD8}, ErrFormat},
		{"soi then junk", append([]byte{0xFF, 0xD8, 0x00}, base[2:]...), ErrFormat},
		{"soi then EOF", []byte{0xFF, 0xD8, 0xFF}, ErrTruncated},
		{"TEM in header", append([]byte{0xFF, 0xD8, 0xFF, 0x01}, base[2:]...), ErrCorrupt},
		{"bad DAC", append([]byte{0xFF, 0xD8, 0xFF, 0xCC, 0, 4, 1, 0x12}, base[2:]...), ErrCorrupt},
		{"SOF after the scan", append(append([]byte{}, base[:len(base)-2]...), base[sof:sof+4]...), ErrCorrupt},
		{"cut in header", base[:sof+5], ErrTruncated},
		{"cut before scan", base[:sos], ErrTruncated},
		{"cut in baseline scan", base[:sos+(len(base)-sos)/2], ErrTruncated},
		{"cut in progressive file", prog[:len(prog)/2], ErrTruncated},
		{"progressive without EOI", prog[:len(prog)-2], ErrTruncated},
		// Pillow refuses these too: libjpeg reads on to the EOI.
		{"baseline without EOI", base[:len(base)-2], ErrTruncated},
		{"second scan in a baseline file", append(append([]byte{}, base[:len(base)-2]...), base[sos:]...), ErrCorrupt},
		{"unknown marker after the scan", append(append([]byte{}, base[:len(base)-2]...), 0xFF, 0xB4, 0xFF, 0xD9), ErrCorrupt},
		{"cmyk", fixture(t, "refuse-cmyk.jpg"), ErrUnsupported},
		{"arithmetic", fixture(t, "refuse-arithmetic.jpg"), ErrUnsupported},
		{"12-bit", patched(base, func(b []byte) []byte { b[sof+4] = 12; return b }), ErrUnsupported},
		{"lossless", patched(base, func(b []byte) []byte { b[sof+1] = 0xC3; return b }), ErrUnsupported},
		{"height from DNL", patched(base, func(b []byte) []byte { b[sof+5], b[sof+6] = 0, 0; return b }), ErrUnsupported},
		{"too large", patched(base, func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[sof+5:], 40000)
			binary.BigEndian.PutUint16(b[sof+7:], 40000)
			return b
		}), ErrTooLarge},
		{"zero width", patched(base, func(b []byte) []byte { b[sof+7], b[sof+8] = 0, 0; return b }), ErrCorrupt},
		{"bad sampling", patched(base, func(b []byte) []byte { b[sof+11] = 0x51; return b }), ErrCorrupt},
		{"unknown marker", patched(base, func(b []byte) []byte { b[sof+1] = 0x02; return b }), ErrCorrupt},
		{"no SOF before SOS", append([]byte{0xFF, 0xD8}, base[sos:]...), ErrCorrupt},
		{"second SOI", append([]byte{0xFF, 0xD8}, base...), ErrCorrupt},
		{"EOI before image", []byte{0xFF, 0xD8, 0xFF, 0xD9}, ErrCorrupt},
		{"bad Huffman table", patched(base, func(b []byte) []byte {
			// Claim 3 one-bit codes: they cannot fit.
			b[markerAt(t, b, mDHT)+5] = 3
			return b
		}), ErrCorrupt},
		{"undefined quantisation table", patched(base, func(b []byte) []byte { b[sof+12] = 3; return b }), ErrCorrupt},
		{"too many scans", manyScans(t), ErrTooLarge},
		{"scan names unknown component", patched(base, func(b []byte) []byte { b[sos+5] = 9; return b }), ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := DecodeBytes(tt.data)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodeBytes = %v, %v; want an error wrapping %v", img != nil, err, tt.want)
			}
			if _, err := Decode(bytes.NewReader(tt.data)); !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v; want an error wrapping %v", err, tt.want)
			}
		})
	}
}

// TestTooLargeAllocatesNothing checks that a tiny file claiming a huge
// image is refused before pixel memory is allocated.
func TestTooLargeAllocatesNothing(t *testing.T) {
	base := fixture(t, "progressive-420-61x45.jpg")
	sof := markerAt(t, base, mSOF2)
	data := patched(base, func(b []byte) []byte {
		binary.BigEndian.PutUint16(b[sof+5:], 65535)
		binary.BigEndian.PutUint16(b[sof+7:], 65535)
		return b
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeBytes(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("DecodeBytes = %v; want ErrTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing the file allocated %d bytes", n)
	}
}

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		file string
		w, h int
		gray bool
	}{
		{"baseline-420-61x45.jpg", 61, 45, false},
		{"progressive-grey-17x13.jpg", 17, 13, true},
		{"baseline-rgb-adobe-61x45.jpg", 61, 45, false},
	}
	for _, tt := range tests {
		data := fixture(t, tt.file)
		// A large APP segment before the frame makes DecodeConfig read on.
		app := make([]byte, 20000)
		app[0], app[1] = 0xFF, 0xE5
		binary.BigEndian.PutUint16(app[2:], uint16(len(app)-2))
		big := append(append(append([]byte{}, data[:2]...), app...), data[2:]...)
		for _, d := range [][]byte{data, big} {
			cfg, err := DecodeConfig(bytes.NewReader(d))
			if err != nil {
				t.Fatalf("DecodeConfig(%s): %v", tt.file, err)
			}
			if cfg.Width != tt.w || cfg.Height != tt.h || (cfg.ColorModel == color.GrayModel) != tt.gray {
				t.Errorf("DecodeConfig(%s) = %dx%d %v; want %dx%d gray=%v", tt.file, cfg.Width, cfg.Height, cfg.ColorModel, tt.w, tt.h, tt.gray)
			}
		}
	}
	if _, err := DecodeConfig(bytes.NewReader([]byte("GIF89a"))); !errors.Is(err, ErrFormat) {
		t.Errorf("DecodeConfig(GIF) = %v; want ErrFormat", err)
	}
}

// manyScans repeats the first DC scan of a progressive file past MaxScans.
func manyScans(t testing.TB) []byte {
	prog := fixture(t, "progressive-420-61x45.jpg")
	sos := markerAt(t, prog, mSOS)
	next := sos + 2 + bytes.Index(prog[sos+2:], []byte{0xFF, mDHT})
	if next < sos+2 {
		next = sos + 2 + bytes.Index(prog[sos+2:], []byte{0xFF, mSOS})
	}
	out := append([]byte{}, prog[:sos]...)
	for range MaxScans + 1 {
		out = append(out, prog[sos:next]...)
	}
	return append(out, 0xFF, mEOI)
}
