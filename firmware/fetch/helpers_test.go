package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/testlog"
)

// testData returns n deterministic pseudo-random bytes.
func testData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkFile fails unless path holds exactly want and no partial file or
// side file is left beside it.
func checkFile(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, sha256 %s; want %d bytes, %s", path, len(got), sumHex(got), len(want), sumHex(want))
	}
	left, _ := filepath.Glob(path + ".*")
	if len(left) > 0 {
		t.Errorf("left beside %s: %v", path, left)
	}
}

func testLogger(t testing.TB) *slog.Logger { return testlog.New(t, slog.LevelDebug) }

// progressLog records the last progress call.
type progressLog struct{ done, total, calls int64 }

func (p *progressLog) fn(done, total int64) { p.done, p.total, p.calls = done, total, p.calls+1 }
