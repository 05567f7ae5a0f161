package imagedir

import (
	"image"
	"path/filepath"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestSharedFormats decodes real photos of every kind the shared set has:
// progressive and greyscale JPEGs (RGBA and Gray, as Pillow decodes them),
// PNG, BMP.
func TestSharedFormats(t *testing.T) {
	images := sharedtest.Dir(t, "images")
	tests := []struct {
		file string
		kind string // typeName of the decoded image
		w, h int
	}{
		{"misc/tflite-support/cats_and_dogs.jpg", "rgba", 0, 0}, // progressive
		{"misc/tflite-support/multi_objects.jpg", "rgba", 0, 0}, // progressive
		{"imagenet/n03764736_milk_can.JPEG", "gray", 333, 500},  // greyscale
		{"imagenet/n01534433_junco.JPEG", "rgba", 500, 375},
		{"misc/go-tflite/peacock.png", "", 133, 200},
		{"misc/coral/bird.bmp", "rgba", 512, 343},
		{"misc/coral/mnist_nine.bmp", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			img, err := Decode(filepath.Join(images, tt.file))
			if err != nil {
				t.Fatalf("Decode(%s) = %v", tt.file, err)
			}
			got := typeName(img)
			if got == "other" || (tt.kind != "" && got != tt.kind) {
				t.Errorf("Decode(%s) gave %T; want kind %q", tt.file, img, tt.kind)
			}
			b := img.Bounds()
			if b.Empty() || (tt.w != 0 && b != image.Rect(0, 0, tt.w, tt.h)) {
				t.Errorf("Decode(%s) bounds = %v; want %dx%d", tt.file, b, tt.w, tt.h)
			}
		})
	}
}
