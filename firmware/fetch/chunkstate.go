package fetch

import (
	"bytes"
	"encoding/binary"
	"os"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
)

// chunkStateMagic starts the chunk map file beside an MQTT partial download.
const chunkStateMagic = "FVCS"

// chunkState is what an MQTT transfer keeps on disk to resume: the
// manifest and which chunks the partial file holds. It is replaced
// atomically, always after the partial file was synced, so every chunk it
// marks is on disk.
type chunkState struct {
	sha      [32]byte // of the whole file, from the Source
	manifest []byte   // encoded TransferManifest; nil until received
	have     []byte   // bitmap, bit i set: chunk i is in the partial file
}

// loadChunkState reads path; it returns a fresh state for sha when the file
// is absent, unreadable or belongs to another file.
func loadChunkState(path string, sha [32]byte) (*chunkState, TransferManifest, bool) {
	fresh := &chunkState{sha: sha}
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 44 || string(b[:4]) != chunkStateMagic || b[4] != wireVersion || !bytes.Equal(b[8:40], sha[:]) {
		return fresh, TransferManifest{}, false
	}
	n := binary.BigEndian.Uint32(b[40:44])
	if uint64(n) > uint64(len(b)-44) {
		return fresh, TransferManifest{}, false
	}
	mb := b[44 : 44+n]
	m, err := DecodeTransferManifest(mb)
	if err != nil || len(b)-44-int(n) != (len(m.Chunks)+7)/8 {
		return fresh, TransferManifest{}, false
	}
	return &chunkState{sha: sha, manifest: mb, have: b[44+n:]}, m, true
}

// setManifest records the manifest and clears the bitmap.
func (s *chunkState) setManifest(m TransferManifest) {
	s.manifest = m.Encode()
	s.have = make([]byte, (len(m.Chunks)+7)/8)
}

func (s *chunkState) has(i int) bool { return s.have[i/8]&(1<<(i%8)) != 0 }
func (s *chunkState) mark(i int)     { s.have[i/8] |= 1 << (i % 8) }
func (s *chunkState) clear(i int)    { s.have[i/8] &^= 1 << (i % 8) }

func (s *chunkState) save(path string) error {
	b := make([]byte, 44, 44+len(s.manifest)+len(s.have))
	copy(b, chunkStateMagic)
	b[4] = wireVersion
	copy(b[8:40], s.sha[:])
	binary.BigEndian.PutUint32(b[40:44], uint32(len(s.manifest)))
	b = append(append(b, s.manifest...), s.have...)
	return atomicfile.WriteFile(path, b, 0o644)
}
