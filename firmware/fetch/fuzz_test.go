package fetch

import (
	"bytes"
	"testing"
)

// FuzzDecodeChunk: no input panics, and whatever decodes re-encodes to the
// same bytes with a data hash that matches.
func FuzzDecodeChunk(f *testing.F) {
	f.Add(EncodeChunk("t", 0, 1, 256, pattern(1)))
	f.Add(EncodeChunk("shapes-1.2.0", 1, 3, 256, pattern(256)))
	f.Add([]byte("FVCK"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeChunk(b)
		if err != nil {
			return
		}
		if got := encodeChunk(c.TransferHash, c.Index, c.Count, c.ChunkSize, c.Data); !bytes.Equal(got, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", got, b)
		}
	})
}

// FuzzDecodeTransferManifest: no input panics or allocates beyond its own
// size, and whatever decodes re-encodes to the same bytes.
func FuzzDecodeTransferManifest(f *testing.F) {
	f.Add(TransferManifest{Size: 1, ChunkSize: 256, Chunks: make([][32]byte, 1)}.Encode())
	f.Add(TransferManifest{TransferHash: TransferHash("x"), Size: 600, ChunkSize: 256, Chunks: make([][32]byte, 3)}.Encode())
	f.Add([]byte("FVTM\x01\x00\x00\x40"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeTransferManifest(b)
		if err != nil {
			return
		}
		if int64(len(m.Chunks)) != chunkCount(m.Size, m.ChunkSize) {
			t.Fatalf("%d chunks for %d bytes of %d", len(m.Chunks), m.Size, m.ChunkSize)
		}
		if got := m.Encode(); !bytes.Equal(got, b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

// FuzzDecodeChunkRequest: no input panics, and Indexes of what decodes
// stays within the limits.
func FuzzDecodeChunkRequest(f *testing.F) {
	f.Add([]byte(`{"v":1,"transfer":"a","manifest":true,"chunks":[[0,3],[9,9]]}`))
	f.Add([]byte(`{"v":1,"transfer":"a","chunks":[[0,1023]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeChunkRequest(b)
		if err != nil {
			return
		}
		if n := len(r.Indexes(MaxChunks)); n > maxRequestChunks {
			t.Fatalf("%d indexes; limit %d", n, maxRequestChunks)
		}
	})
}
