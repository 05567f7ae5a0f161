package fetch

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
// Binary messages are stored as hex, 32 bytes a line.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var b strings.Builder
	if strings.HasSuffix(name, ".hex") {
		for i := 0; i < len(got); i += 32 {
			b.WriteString(hex.EncodeToString(got[i:min(i+32, len(got))]) + "\n")
		}
	} else {
		b.Write(got)
		b.WriteString("\n")
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if b.String() != string(want) {
		t.Errorf("%s differs from the encoding (the wire format changed?):\ngot:\n%swant:\n%s", path, b.String(), want)
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func TestChunkGolden(t *testing.T) {
	golden(t, "chunk-v1.hex", EncodeChunk("shapes-1.2.0", 2, 3, 256, pattern(100)))
	m := TransferManifest{TransferHash: TransferHash("shapes-1.2.0"), Size: 612, ChunkSize: 256,
		SHA256: [32]byte{1, 2, 3}, Chunks: [][32]byte{{4}, {5}, {6}}}
	golden(t, "manifest-v1.hex", m.Encode())
	r := ChunkRequest{TransferID: "shapes-1.2.0", Manifest: true, Chunks: ranges([]int{0, 1, 2, 7})}
	golden(t, "request-v1.json", r.Encode())
}

func TestDecodeChunk(t *testing.T) {
	valid := EncodeChunk("t", 1, 3, 256, pattern(256))
	last := EncodeChunk("t", 2, 3, 256, pattern(10))
	mut := func(b []byte, f func([]byte)) []byte {
		c := append([]byte(nil), b...)
		f(c)
		return c
	}
	tests := []struct {
		name string
		in   []byte
		err  string // "" for valid
	}{
		{"full chunk", valid, ""},
		{"short last chunk", last, ""},
		{"empty", nil, "shorter than the 64-byte header"},
		{"manifest magic", mut(valid, func(b []byte) { copy(b, "FVTM") }), "magic"},
		{"version 2", mut(valid, func(b []byte) { b[4] = 2 }), "version 2"},
		{"flags", mut(valid, func(b []byte) { b[5] = 1 }), "flags 1"},
		{"index beyond count", mut(valid, func(b []byte) { b[19] = 3 }), "index 3 of 3"},
		{"no chunks", mut(valid, func(b []byte) { b[23] = 0 }), "0 chunks"},
		{"chunk size too small", mut(valid, func(b []byte) { b[26], b[27] = 0, 255 }), "chunk size 255"},
		{"length disagrees", valid[:len(valid)-1], "header says 256 data bytes, message has 255"},
		{"middle chunk short", EncodeChunk("t", 1, 3, 256, pattern(10)), "chunk 1 of 3 has 10 bytes"},
		{"empty last chunk", EncodeChunk("t", 2, 3, 256, nil), "has 0 bytes"},
		{"data changed", mut(valid, func(b []byte) { b[100] ^= 1 }), "does not match its sha256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeChunk(tt.in)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("DecodeChunk = %v; want nil", err)
				}
				if c.TransferHash != TransferHash("t") || c.Count != 3 || c.ChunkSize != 256 || !bytes.Equal(c.Data, tt.in[headerLen:]) {
					t.Errorf("DecodeChunk = %+v; fields differ from the encoding", c)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("DecodeChunk = %v; want ErrMalformed containing %q", err, tt.err)
			}
		})
	}
}

func TestDecodeTransferManifest(t *testing.T) {
	m := TransferManifest{TransferHash: TransferHash("t"), Size: 600, ChunkSize: 256, SHA256: [32]byte{9}, Chunks: [][32]byte{{1}, {2}, {3}}}
	valid := m.Encode()
	mut := func(f func([]byte)) []byte {
		c := append([]byte(nil), valid...)
		f(c)
		return c
	}
	tests := []struct {
		name string
		in   []byte
		err  string
	}{
		{"valid", valid, ""},
		{"short", valid[:10], "shorter than"},
		{"chunk magic", mut(func(b []byte) { copy(b, "FVCK") }), "magic"},
		{"too few chunks for the size", mut(func(b []byte) { b[23] = 0xff; b[22] = 0xff }), "do not make 3 chunks"},
		{"too many chunks for the size", mut(func(b []byte) { b[22], b[23] = 0, 100 }), "do not make 3 chunks"},
		{"hash list short", valid[:len(valid)-32], "bytes of chunk hashes"},
		{"chunk size huge", mut(func(b []byte) { b[24] = 0xff }), "chunk size"},
		{"count huge", mut(func(b []byte) { b[28] = 0xff }), "chunks (1 to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTransferManifest(tt.in)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("DecodeTransferManifest = %v", err)
				}
				if !bytes.Equal(got.Encode(), valid) {
					t.Errorf("round trip differs: %+v", got)
				}
				return
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("DecodeTransferManifest = %v; want ErrMalformed containing %q", err, tt.err)
			}
		})
	}
}

func TestDecodeChunkRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []int // indexes below 10
		err  string
	}{
		{"ranges", `{"v":1,"transfer":"a-1","chunks":[[0,2],[5,5],[1,3]]}`, []int{0, 1, 2, 5, 3}, ""},
		{"beyond count are dropped", `{"v":1,"transfer":"a","chunks":[[8,20]]}`, []int{8, 9}, ""},
		{"manifest only", `{"v":1,"transfer":"a","manifest":true}`, nil, ""},
		{"version 0", `{"transfer":"a"}`, nil, "version 0"},
		{"bad id", `{"v":1,"transfer":"a/b"}`, nil, "only letters"},
		{"reversed range", `{"v":1,"transfer":"a","chunks":[[3,2]]}`, nil, "range [3, 2]"},
		{"too many chunks", `{"v":1,"transfer":"a","chunks":[[0,65535]]}`, nil, "65536 chunks"},
		{"not json", `{`, nil, "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DecodeChunkRequest([]byte(tt.in))
			if tt.err != "" {
				if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("DecodeChunkRequest = %v; want ErrMalformed containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeChunkRequest = %v", err)
			}
			if got := r.Indexes(10); !equalInts(got, tt.want) {
				t.Errorf("Indexes(10) = %v; want %v", got, tt.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDataTopicFor(t *testing.T) {
	tests := map[string]string{
		"fovea/dev1/ota/chunks/request":      "fovea/dev1/ota/chunks/data",
		"site/a/fovea/x/ota/chunks/request":  "site/a/fovea/x/ota/chunks/data",
		"fovea/dev1/ota/chunks/data":         "",
		"fovea/+/ota/chunks/request":         "",
		"fovea/dev1/ota/chunks/request/more": "",
	}
	for in, want := range tests {
		got, ok := DataTopicFor(in)
		if got != want || ok != (want != "") {
			t.Errorf("DataTopicFor(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
