package jpeg

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds mutated fixtures to the decoder: it must never panic,
// and a decoded image must have the size its header declares. The pixel
// limit is lowered so that mutated headers cannot make a run allocate
// hundreds of megabytes.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	saved := pixelLimit
	pixelLimit = 1 << 18
	f.Cleanup(func() { pixelLimit = saved })
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := DecodeBytes(data)
		cfg, cerr := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		if cerr != nil {
			t.Fatalf("Decode succeeded but DecodeConfig failed: %v", cerr)
		}
		if got := img.Bounds(); got != image.Rect(0, 0, cfg.Width, cfg.Height) {
			t.Fatalf("decoded %v; header says %dx%d", got, cfg.Width, cfg.Height)
		}
	})
}
