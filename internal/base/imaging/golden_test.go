package imaging

import (
	"bufio"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// goldenCase is one input tensor in ../shared/golden made by Pillow from a
// photo: decode, convert RGB, resize BILINEAR, raw RGB bytes.
type goldenCase struct {
	input  string // path of the .raw tensor
	source string // path of the photo
	w, h   int
}

// pillowCases lists the distinct uint8 RGB golden inputs, keyed by photo
// and size.
func pillowCases(t *testing.T) []goldenCase {
	golden := sharedtest.Dir(t, "golden")
	f, err := os.Open(filepath.Join(golden, "cases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var out []goldenCase
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		input, dtype, shape, source, prep := c[2], c[4], c[5], c[12], c[13]
		if dtype != "uint8" || !strings.Contains(prep, "uint8 q = pixel (raw RGB bytes); layout NHWC") || strings.Contains(prep, "XOR") {
			continue
		}
		var w, h int
		if _, err := fmt.Sscanf(shape, "1x%dx%dx3", &h, &w); err != nil {
			t.Fatalf("cases.tsv shape %q: %v", shape, err)
		}
		key := source + shape
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, goldenCase{filepath.Join(golden, input), filepath.Join(filepath.Dir(golden), source), w, h})
	}
	if len(out) == 0 {
		t.Fatal("no uint8 RGB cases in cases.tsv")
	}
	return out
}

// diff returns the mean and max absolute difference between the RGB bytes
// of img and want.
func diff(img *image.RGBA, want []byte) (mean float64, maxd int) {
	got := PackRGB(nil, img)
	sum := 0
	for i := range got {
		d := int(got[i]) - int(want[i])
		if d < 0 {
			d = -d
		}
		sum += d
		maxd = max(maxd, d)
	}
	return float64(sum) / float64(len(got)), maxd
}

// TestPillowGolden compares decoding (imgio, whose JPEG decoder matches
// libjpeg-turbo byte for byte) plus Resize with the input tensors Pillow
// 9.4 made: every byte must be identical, JPEGs included.
func TestPillowGolden(t *testing.T) {
	for _, c := range pillowCases(t) {
		name := fmt.Sprintf("%s_%dx%d", filepath.Base(c.source), c.w, c.h)
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(c.input)
			if err != nil {
				t.Fatal(err)
			}
			src, err := imgio.DecodeFile(c.source)
			if err != nil {
				t.Fatal(err)
			}
			dst := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
			Resize(dst, src)
			mean, maxd := diff(dst, want)
			t.Logf("%s (%T %v) → %dx%d: mean abs diff %.4f, max %d", filepath.Base(c.source), src, src.Bounds().Size(), c.w, c.h, mean, maxd)
			if maxd != 0 {
				t.Errorf("abs diff vs Pillow: mean %.4f, max %d; want identical bytes", mean, maxd)
			}
		})
	}
}
