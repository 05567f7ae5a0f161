package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/fovea-edge/fovea/firmware/sign"
)

// Member is a file to Pack.
type Member struct {
	Name string
	Data []byte
}

// Pack is the low-level writer under Create: it sets m.Files (in members'
// order) and m.KeyID, signs m and writes the bundle, checking only that
// the manifest is valid. It does not load the model or compute test
// vectors: tools that build manifests themselves, and tests that need a
// signed bundle with a broken model, use it. Devices check everything
// Create would have checked.
func Pack(w io.Writer, m *Manifest, members []Member, priv ed25519.PrivateKey) error {
	m.KeyID = sign.KeyID(priv.Public().(ed25519.PublicKey))
	m.Files = m.Files[:0]
	ms := make([]member, len(members))
	for i, mem := range members {
		sum := sha256.Sum256(mem.Data)
		m.Files = append(m.Files, File{Name: mem.Name, Size: int64(len(mem.Data)), SHA256: hex.EncodeToString(sum[:])})
		ms[i] = member{mem.Name, mem.Data}
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("bundle.Pack: %w", err)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle.Pack: %w", err)
	}
	sig, _ := sign.Sign(priv, sign.PurposeManifest, mb)
	if err := writeBundle(w, mb, sig, ms); err != nil {
		return fmt.Errorf("bundle.Pack: %w", err)
	}
	return nil
}
