//go:build opencv

package imaging

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/camera/imagedir"
)

// TestOpenCVNearPillow: cv::resize INTER_AREA is not Pillow's filter, but
// on photos it must stay close (it is the same idea: area averaging).
func TestOpenCVNearPillow(t *testing.T) {
	for _, c := range pillowCases(t) {
		t.Run(fmt.Sprintf("%s_%dx%d", filepath.Base(c.source), c.w, c.h), func(t *testing.T) {
			want, err := os.ReadFile(c.input)
			if err != nil {
				t.Fatal(err)
			}
			src, err := imagedir.Decode(c.source)
			if err != nil {
				t.Fatal(err)
			}
			dst := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
			ResizeOpenCV(dst, src)
			mean, maxd := diff(dst, want)
			t.Logf("opencv vs Pillow: mean abs diff %.4f, max %d", mean, maxd)
			if mean > 4 {
				t.Errorf("mean abs diff vs Pillow = %.4f; want ≤ 4", mean)
			}
		})
	}
}

func TestOpenCVTypesAndOffsets(t *testing.T) {
	pics := picture(64, 48, 3)
	ref := image.NewRGBA(image.Rect(0, 0, 16, 12))
	ResizeOpenCV(ref, pics["rgba"])
	for name, src := range pics {
		dst := image.NewRGBA(image.Rect(5, 5, 21, 17))
		ResizeOpenCV(dst, src)
		for y := range 12 {
			for x := range 16 {
				a, b := ref.RGBAAt(x, y), dst.RGBAAt(5+x, 5+y)
				if a != b {
					t.Fatalf("%s: pixel (%d,%d) = %v; want %v as from *image.RGBA", name, x, y, b, a)
				}
			}
		}
	}
	// a sub-image whose stride is wider than its rows
	crop := pics["rgba"].(*image.RGBA).SubImage(image.Rect(8, 8, 40, 32))
	dst := image.NewRGBA(image.Rect(0, 0, 8, 6))
	ResizeOpenCV(dst, crop)
	if dst.RGBAAt(0, 0).A != 255 {
		t.Errorf("alpha = %d; want 255", dst.RGBAAt(0, 0).A)
	}
}

func BenchmarkResizeOpenCV(b *testing.B) {
	for _, name := range []string{"ycbcr640x480", "ycbcr1920x1080", "rgba640x480"} {
		src := benchFrames()[name]
		b.Run(name+"/go", func(b *testing.B) { benchResize(b, Resize, src) })
		b.Run(name+"/opencv", func(b *testing.B) { benchResize(b, ResizeOpenCV, src) })
	}
}
