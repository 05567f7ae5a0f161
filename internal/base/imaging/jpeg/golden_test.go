package jpeg

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.rgb from Pillow")

// TestGolden decodes every fixture in testdata and compares it with the
// RGB bytes Pillow 9.4 produced (testdata/make_fixtures.py). Files named
// refuse-*.jpg must be refused as unsupported.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	if *update {
		var keep []string
		for _, f := range files {
			if !strings.HasPrefix(filepath.Base(f), "refuse-") {
				keep = append(keep, f)
			}
		}
		for i, rgb := range pillowRGB(t, keep) {
			if rgb == nil {
				t.Fatalf("Pillow refused %s", keep[i])
			}
			if err := os.WriteFile(strings.TrimSuffix(keep[i], ".jpg")+".rgb", rgb, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jpg")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			img, err := DecodeBytes(data)
			if strings.HasPrefix(name, "refuse-") {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("DecodeBytes(%s) = %v; want an error wrapping ErrUnsupported", name, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeBytes(%s): %v", name, err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(f, ".jpg") + ".rgb")
			if err != nil {
				t.Fatal(err)
			}
			got := rgbBytes(img)
			if n, maxd, first := diff(got, want); n != 0 {
				w := img.Bounds().Dx()
				t.Errorf("%d of %d bytes differ from Pillow, max |diff| %d, first at pixel (%d,%d)",
					n, len(want), maxd, first/3%w, first/3/w)
			}
			cfg, err := DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			if cfg.Width != img.Bounds().Dx() || cfg.Height != img.Bounds().Dy() || cfg.ColorModel != img.ColorModel() {
				t.Errorf("DecodeConfig = %dx%d %v; Decode gave %v %v", cfg.Width, cfg.Height, cfg.ColorModel, img.Bounds(), img.ColorModel())
			}
		})
	}
}
