package fetch

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// chunkMagic starts every chunk message.
const chunkMagic = "FVCK"

// Chunk is one decoded chunk message. Data aliases the decoded buffer.
type Chunk struct {
	TransferHash [8]byte
	Index        int
	Count        int
	ChunkSize    int
	SHA256       [32]byte // of Data, checked by DecodeChunk
	Data         []byte
}

// EncodeChunk returns the chunk message for data, chunk index of count
// chunks of chunkSize bytes of the transfer named transferID.
func EncodeChunk(transferID string, index, count, chunkSize int, data []byte) []byte {
	return encodeChunk(TransferHash(transferID), index, count, chunkSize, data)
}

func encodeChunk(th [8]byte, index, count, chunkSize int, data []byte) []byte {
	b := make([]byte, headerLen+len(data))
	copy(b[headerLen:], data)
	putChunkHeader(b, th, index, count, chunkSize)
	return b
}

// putChunkHeader fills the header of b, whose data (from byte 64 on) is in
// place already.
func putChunkHeader(b []byte, th [8]byte, index, count, chunkSize int) {
	copy(b[0:4], chunkMagic)
	b[4] = wireVersion
	b[5] = 0 // flags
	binary.BigEndian.PutUint16(b[6:8], headerLen)
	copy(b[8:16], th[:])
	binary.BigEndian.PutUint32(b[16:20], uint32(index))
	binary.BigEndian.PutUint32(b[20:24], uint32(count))
	binary.BigEndian.PutUint32(b[24:28], uint32(chunkSize))
	binary.BigEndian.PutUint32(b[28:32], uint32(len(b)-headerLen))
	sum := sha256.Sum256(b[headerLen:])
	copy(b[32:64], sum[:])
}

// DecodeChunk parses and checks a chunk message: magic, version, header
// length, index below count, every chunk but the last exactly chunkSize
// long, and the data's SHA-256 equal to the header's. When only that hash
// differs, the header's fields come back with the error, so that the
// receiver can ask for the chunk again.
func DecodeChunk(b []byte) (Chunk, error) {
	var c Chunk
	if len(b) < headerLen {
		return c, fmt.Errorf("fetch.DecodeChunk: %w: %d bytes, shorter than the %d-byte header", ErrMalformed, len(b), headerLen)
	}
	if string(b[0:4]) != chunkMagic {
		return c, fmt.Errorf("fetch.DecodeChunk: %w: magic %q, want %q", ErrMalformed, b[0:4], chunkMagic)
	}
	if b[4] != wireVersion || b[5] != 0 || binary.BigEndian.Uint16(b[6:8]) != headerLen {
		return c, fmt.Errorf("fetch.DecodeChunk: %w: version %d flags %d header length %d, want %d, 0, %d",
			ErrMalformed, b[4], b[5], binary.BigEndian.Uint16(b[6:8]), wireVersion, headerLen)
	}
	copy(c.TransferHash[:], b[8:16])
	index := binary.BigEndian.Uint32(b[16:20])
	count := binary.BigEndian.Uint32(b[20:24])
	size := binary.BigEndian.Uint32(b[24:28])
	n := binary.BigEndian.Uint32(b[28:32])
	switch {
	case count == 0 || count > MaxChunks:
		return c, fmt.Errorf("fetch.DecodeChunk: %w: %d chunks (1 to %d allowed)", ErrMalformed, count, MaxChunks)
	case index >= count:
		return c, fmt.Errorf("fetch.DecodeChunk: %w: index %d of %d chunks", ErrMalformed, index, count)
	case size < MinChunkSize || size > MaxChunkSize:
		return c, fmt.Errorf("fetch.DecodeChunk: %w: chunk size %d (%d to %d allowed)", ErrMalformed, size, MinChunkSize, MaxChunkSize)
	case uint64(n) != uint64(len(b)-headerLen):
		return c, fmt.Errorf("fetch.DecodeChunk: %w: header says %d data bytes, message has %d", ErrMalformed, n, len(b)-headerLen)
	case n == 0 || n > size || (index < count-1 && n != size):
		return c, fmt.Errorf("fetch.DecodeChunk: %w: chunk %d of %d has %d bytes, chunk size %d", ErrMalformed, index, count, n, size)
	}
	c.Index, c.Count, c.ChunkSize = int(index), int(count), int(size)
	copy(c.SHA256[:], b[32:64])
	c.Data = b[headerLen:]
	if sha256.Sum256(c.Data) != c.SHA256 {
		return c, fmt.Errorf("fetch.DecodeChunk: %w: chunk %d: data does not match its sha256", ErrMalformed, index)
	}
	return c, nil
}
