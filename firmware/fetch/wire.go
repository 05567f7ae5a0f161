package fetch

import (
	"crypto/sha256"
	"fmt"
)

// Limits of the chunked transfer (docs/ota.md, "Chunked transfer over MQTT").
const (
	// DefaultChunkSize keeps a chunk message (data, 64-byte header, topic)
	// under the agent's default mqtt.max_incoming_bytes of 64 KiB.
	DefaultChunkSize = 32 << 10
	// MinChunkSize and MaxChunkSize bound the chunk size of a transfer.
	MinChunkSize = 256
	MaxChunkSize = 4 << 20
	// MaxChunks bounds the chunks of one transfer (and so the manifest to
	// 64 + 32*MaxChunks bytes).
	MaxChunks = 1 << 16
	// maxTransferID bounds a transfer id's length.
	maxTransferID = 64
)

// wireVersion is the version byte of chunk and manifest messages.
const wireVersion = 1

// headerLen is the fixed header length of chunk and manifest messages.
const headerLen = 64

// TransferHash binds chunk and manifest messages to one transfer: the
// first 8 bytes of the SHA-256 of the transfer id.
func TransferHash(transferID string) [8]byte {
	s := sha256.Sum256([]byte(transferID))
	var h [8]byte
	copy(h[:], s[:8])
	return h
}

// validTransferID accepts 1 to 64 characters from [A-Za-z0-9._-]: an id
// appears in topics and file names.
func validTransferID(id string) error {
	if id == "" || len(id) > maxTransferID {
		return fmt.Errorf("%w: transfer id %q must have 1 to %d characters", ErrSource, id, maxTransferID)
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("%w: transfer id %q: only letters, digits, '.', '_' and '-' are allowed", ErrSource, id)
		}
	}
	return nil
}

// chunkCount is the number of chunks of a file of size bytes.
func chunkCount(size int64, chunkSize int) int64 {
	return (size + int64(chunkSize) - 1) / int64(chunkSize)
}
