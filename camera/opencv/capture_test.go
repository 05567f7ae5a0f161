//go:build opencv

package opencv

import (
	"errors"
	"image"
	"image/color"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/fovea-edge/fovea/camera"
)

// colours are the solid colours of the test video's frames, in order.
var colours = []color.RGBA{
	{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {255, 255, 0, 255},
	{0, 255, 255, 255}, {255, 0, 255, 255}, {128, 128, 128, 255}, {30, 60, 90, 255},
	{200, 100, 50, 255}, {10, 10, 10, 255}, {250, 250, 250, 255}, {90, 200, 140, 255},
}

// writeVideo makes a 64×48 MJPG .avi with one solid-colour frame per
// entry of colours, with OpenCV's own VideoWriter.
func writeVideo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 10, 64, 48, true)
	if err != nil {
		t.Fatalf("VideoWriterFile: %v", err)
	}
	for _, c := range colours {
		m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(float64(c.B), float64(c.G), float64(c.R), 0), 48, 64, gocv.MatTypeCV8UC3)
		if err := vw.Write(m); err != nil {
			t.Fatalf("VideoWriter.Write: %v", err)
		}
		m.Close()
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func mean(img image.Image) color.RGBA {
	b := img.Bounds()
	var s [3]int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			s[0], s[1], s[2] = s[0]+int(c.R), s[1]+int(c.G), s[2]+int(c.B)
		}
	}
	n := b.Dx() * b.Dy()
	return color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255}
}

func close(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { v := int(x) - int(y); return v >= -10 && v <= 10 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func TestVideoFile(t *testing.T) {
	path := writeVideo(t)
	src, err := camera.Open(t.Context(), "opencv:"+path, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	for {
		f, err := src.Next(t.Context())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next #%d = %v", n, err)
		}
		if n >= len(colours) {
			t.Fatalf("more than %d frames", len(colours))
		}
		if _, ok := f.Image.(*image.RGBA); !ok || f.Image.Bounds() != image.Rect(0, 0, 64, 48) {
			t.Errorf("frame %d is a %T %v; want a 64x48 *image.RGBA", n, f.Image, f.Image.Bounds())
		}
		if got := mean(f.Image); !close(got, colours[n]) {
			t.Errorf("frame %d mean colour = %v; want %v", n, got, colours[n])
		}
		if f.Seq != uint64(n+1) {
			t.Errorf("frame %d Seq = %d", n, f.Seq)
		}
		n++
	}
	if n != len(colours) {
		t.Errorf("read %d frames; want %d", n, len(colours))
	}
	if st := camera.StatsOf(src); st.Frames != uint64(len(colours)) {
		t.Errorf("Stats = %+v", st)
	}
}

func TestVideoFileLoopAndROI(t *testing.T) {
	path := writeVideo(t)
	src, err := camera.Open(t.Context(), "opencv:"+path, camera.Options{Loop: true, ROI: image.Rect(8, 8, 24, 16)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := range len(colours) + 3 {
		f, err := src.Next(t.Context())
		if err != nil {
			t.Fatalf("Next #%d = %v", i, err)
		}
		if f.Seq != uint64(i+1) || f.Image.Bounds() != image.Rect(8, 8, 24, 16) {
			t.Errorf("frame %d: Seq %d bounds %v", i, f.Seq, f.Image.Bounds())
		}
		if got, want := mean(f.Image), colours[i%len(colours)]; !close(got, want) {
			t.Errorf("frame %d mean colour = %v; want %v (looped)", i, got, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		uri       string
		permanent bool
		want      string
	}{
		{"opencv:/dev/video37", false, "cannot open camera: no such device; check `v4l2-ctl --list-devices`"},
		{"opencv:37", false, "no such device"},
		{"opencv:" + filepath.Join(dir, "missing.avi"), true, "cannot open video file"},
		{"opencv:" + dir, true, "use dir:"},
		{"opencv:", true, "empty camera name"},
	}
	for _, tt := range tests {
		src, err := camera.Open(t.Context(), tt.uri, camera.Options{})
		if err == nil {
			src.Close()
			t.Errorf("Open(%q) succeeded; want an error", tt.uri)
			continue
		}
		if errors.Is(err, camera.ErrPermanent) != tt.permanent || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) = %v; want permanent=%v mentioning %q", tt.uri, err, tt.permanent, tt.want)
		}
	}
}
