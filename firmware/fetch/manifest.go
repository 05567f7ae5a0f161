package fetch

import (
	"encoding/binary"
	"fmt"
)

// manifestMagic starts every transfer manifest message.
const manifestMagic = "FVTM"

// TransferManifest describes a chunked transfer: the whole file's size and
// SHA-256 (which must equal the deployment's), the chunk size and count,
// and the SHA-256 of every chunk.
type TransferManifest struct {
	TransferHash [8]byte
	Size         int64
	ChunkSize    int
	SHA256       [32]byte
	Chunks       [][32]byte // one per chunk, in order
}

// Encode returns the manifest message.
func (m TransferManifest) Encode() []byte {
	b := make([]byte, headerLen+32*len(m.Chunks))
	copy(b[0:4], manifestMagic)
	b[4] = wireVersion
	binary.BigEndian.PutUint16(b[6:8], headerLen)
	copy(b[8:16], m.TransferHash[:])
	binary.BigEndian.PutUint64(b[16:24], uint64(m.Size))
	binary.BigEndian.PutUint32(b[24:28], uint32(m.ChunkSize))
	binary.BigEndian.PutUint32(b[28:32], uint32(len(m.Chunks)))
	copy(b[32:64], m.SHA256[:])
	for i, h := range m.Chunks {
		copy(b[headerLen+32*i:], h[:])
	}
	return b
}

// DecodeTransferManifest parses and checks a manifest message: magic,
// version, a chunk size in range, a count that matches size and chunk size,
// and one hash per chunk.
func DecodeTransferManifest(b []byte) (TransferManifest, error) {
	var m TransferManifest
	if len(b) < headerLen {
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: %d bytes, shorter than the %d-byte header", ErrMalformed, len(b), headerLen)
	}
	if string(b[0:4]) != manifestMagic {
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: magic %q, want %q", ErrMalformed, b[0:4], manifestMagic)
	}
	if b[4] != wireVersion || b[5] != 0 || binary.BigEndian.Uint16(b[6:8]) != headerLen {
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: version %d flags %d header length %d, want %d, 0, %d",
			ErrMalformed, b[4], b[5], binary.BigEndian.Uint16(b[6:8]), wireVersion, headerLen)
	}
	copy(m.TransferHash[:], b[8:16])
	size := binary.BigEndian.Uint64(b[16:24])
	cs := binary.BigEndian.Uint32(b[24:28])
	count := binary.BigEndian.Uint32(b[28:32])
	switch {
	case cs < MinChunkSize || cs > MaxChunkSize:
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: chunk size %d (%d to %d allowed)", ErrMalformed, cs, MinChunkSize, MaxChunkSize)
	case count == 0 || count > MaxChunks:
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: %d chunks (1 to %d allowed)", ErrMalformed, count, MaxChunks)
	case size == 0 || size > uint64(count)*uint64(cs) || size <= uint64(count-1)*uint64(cs):
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: %d bytes do not make %d chunks of %d", ErrMalformed, size, count, cs)
	case uint64(len(b)-headerLen) != 32*uint64(count):
		return m, fmt.Errorf("fetch.DecodeTransferManifest: %w: %d bytes of chunk hashes, want %d", ErrMalformed, len(b)-headerLen, 32*count)
	}
	m.Size, m.ChunkSize = int64(size), int(cs)
	copy(m.SHA256[:], b[32:64])
	m.Chunks = make([][32]byte, count)
	for i := range m.Chunks {
		copy(m.Chunks[i][:], b[headerLen+32*i:])
	}
	return m, nil
}
