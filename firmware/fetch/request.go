package fetch

import (
	"encoding/json"
	"fmt"
)

// Request limits: a device asks for at most this many chunks, in at most
// this many ranges, in one message of at most this many bytes.
const (
	maxRequestChunks = 1024
	maxRequestRanges = 256
	maxRequestBytes  = 16 << 10
)

// ChunkRequest is what a device publishes on its request topic: the
// manifest, chunks, or both, of one transfer. Chunks holds inclusive index
// ranges [first, last].
type ChunkRequest struct {
	Version    int         `json:"v"`
	TransferID string      `json:"transfer"`
	Manifest   bool        `json:"manifest,omitempty"`
	Chunks     [][2]uint32 `json:"chunks,omitempty"`
}

// Encode returns the JSON request message.
func (r ChunkRequest) Encode() []byte {
	r.Version = wireVersion
	b, _ := json.Marshal(r) // plain data: cannot fail
	return b
}

// Indexes returns the requested chunk indexes below count, in order, with
// duplicates removed.
func (r ChunkRequest) Indexes(count int) []int {
	seen := map[int]bool{}
	var out []int
	for _, rg := range r.Chunks {
		for i := int64(rg[0]); i <= int64(rg[1]) && i < int64(count); i++ {
			if !seen[int(i)] {
				seen[int(i)] = true
				out = append(out, int(i))
			}
		}
	}
	return out
}

// DecodeChunkRequest parses and checks a request: version 1, a valid
// transfer id, ranges with first ≤ last, and the limits above.
func DecodeChunkRequest(b []byte) (ChunkRequest, error) {
	var r ChunkRequest
	if len(b) > maxRequestBytes {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: %d bytes (at most %d)", ErrMalformed, len(b), maxRequestBytes)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: %v", ErrMalformed, err)
	}
	if r.Version != wireVersion {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: version %d, want %d", ErrMalformed, r.Version, wireVersion)
	}
	if err := validTransferID(r.TransferID); err != nil {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: %v", ErrMalformed, err)
	}
	if len(r.Chunks) > maxRequestRanges {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: %d ranges (at most %d)", ErrMalformed, len(r.Chunks), maxRequestRanges)
	}
	total := 0
	for _, rg := range r.Chunks {
		if rg[0] > rg[1] || rg[1] >= MaxChunks {
			return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: range [%d, %d]", ErrMalformed, rg[0], rg[1])
		}
		total += int(rg[1]-rg[0]) + 1
	}
	if total > maxRequestChunks {
		return r, fmt.Errorf("fetch.DecodeChunkRequest: %w: %d chunks (at most %d)", ErrMalformed, total, maxRequestChunks)
	}
	return r, nil
}

// ranges compresses sorted indexes into inclusive ranges.
func ranges(idx []int) [][2]uint32 {
	var out [][2]uint32
	for _, i := range idx {
		if n := len(out); n > 0 && out[n-1][1]+1 == uint32(i) {
			out[n-1][1] = uint32(i)
			continue
		}
		out = append(out, [2]uint32{uint32(i), uint32(i)})
	}
	return out
}
