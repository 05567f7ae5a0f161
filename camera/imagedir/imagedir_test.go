package imagedir

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/image/bmp"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// testImage is a w×h picture filled with c.
func testImage(w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// encode returns img in the format named by ext.
func encode(t testing.TB, ext string, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch ext {
	case ".jpg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 95})
	case ".png":
		err = png.Encode(&b, img)
	case ".bmp":
		err = bmp.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeFolder writes files into a new temporary folder.
func writeFolder(t testing.TB, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mixedFolder holds three good images of different formats, a truncated
// JPEG, a garbage .png and a file that is not an image.
func mixedFolder(t testing.TB) string {
	jpg := encode(t, ".jpg", testImage(16, 8, color.RGBA{200, 10, 10, 255}))
	gray := image.NewGray(image.Rect(0, 0, 8, 8))
	return writeFolder(t, map[string][]byte{
		"a.jpg":       jpg,
		"b.png":       encode(t, ".png", testImage(4, 4, color.RGBA{0, 255, 0, 255})),
		"c_trunc.jpg": jpg[:len(jpg)/2],
		"d.BMP":       encode(t, ".bmp", testImage(6, 2, color.RGBA{0, 0, 255, 255})),
		"e_bad.png":   []byte("this is not a png"),
		"f_gray.jpeg": encode(t, ".jpg", gray),
		"notes.txt":   []byte("ignored"),
	})
}

func TestOnce(t *testing.T) {
	dir := mixedFolder(t)
	src, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	want := []struct {
		name string
		w, h int
	}{{"a.jpg", 16, 8}, {"b.png", 4, 4}, {"d.BMP", 6, 2}, {"f_gray.jpeg", 8, 8}}
	for i, w := range want {
		f, err := src.Next(t.Context())
		if err != nil {
			t.Fatalf("Next #%d = %v", i, err)
		}
		if f.Name != w.name || f.Seq != uint64(i+1) || f.Image.Bounds().Dx() != w.w || f.Image.Bounds().Dy() != w.h {
			t.Errorf("frame #%d = %s seq %d %v; want %s seq %d %dx%d", i, f.Name, f.Seq, f.Image.Bounds(), w.name, i+1, w.w, w.h)
		}
		if f.Wall.IsZero() || f.Mono <= 0 {
			t.Errorf("frame #%d has no timestamps: mono %v wall %v", i, f.Mono, f.Wall)
		}
	}
	if _, err := src.Next(t.Context()); err != io.EOF {
		t.Errorf("Next at the end = %v; want io.EOF", err)
	}
	if st := camera.StatsOf(src); st != (camera.Stats{Frames: 4, Skipped: 2}) {
		t.Errorf("Stats = %+v; want 4 frames, 2 skipped", st)
	}
}

func TestLoop(t *testing.T) {
	dir := mixedFolder(t)
	tests := []struct {
		name string
		uri  string
		opts camera.Options
	}{
		{"query", "dir:" + dir + "?loop=1", camera.Options{}},
		{"options", "dir:" + dir, camera.Options{Loop: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := camera.Open(t.Context(), tt.uri, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var names []string
			for i := range 9 {
				f, err := src.Next(t.Context())
				if err != nil {
					t.Fatalf("Next #%d = %v", i, err)
				}
				if f.Seq != uint64(i+1) {
					t.Fatalf("frame #%d Seq = %d; want %d", i, f.Seq, i+1)
				}
				names = append(names, f.Name)
			}
			if names[4] != "a.jpg" || names[8] != "a.jpg" {
				t.Errorf("looped names = %v; want a.jpg again at frames 5 and 9", names)
			}
		})
	}
}

func TestFPSPacesReads(t *testing.T) {
	dir := mixedFolder(t)
	synctest.Test(t, func(t *testing.T) {
		src, err := camera.Open(t.Context(), "dir:"+dir+"?fps=4&loop=true", camera.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		start := time.Now()
		for range 9 {
			if _, err := src.Next(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("9 frames at 4 fps took %v; want 2s", got)
		}
		if st := camera.StatsOf(src); st.Dropped != 0 {
			t.Errorf("Stats.Dropped = %d; want 0 (a folder is paced, not dropped)", st.Dropped)
		}
	})
}

func TestROI(t *testing.T) {
	dir := mixedFolder(t)
	src, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{ROI: image.Rect(1, 1, 3, 3)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := src.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if f.Image.Bounds() != image.Rect(1, 1, 3, 3) {
		t.Errorf("cropped bounds = %v; want (1,1)-(3,3)", f.Image.Bounds())
	}
}

func TestOpenErrors(t *testing.T) {
	empty := writeFolder(t, map[string][]byte{"readme.txt": []byte("x")})
	good := mixedFolder(t)
	tests := []struct {
		name, uri string
	}{
		{"missing folder", "dir:" + filepath.Join(empty, "nope")},
		{"no images", "dir:" + empty},
		{"empty path", "dir:"},
		{"bad loop", "dir:" + good + "?loop=maybe"},
		{"bad fps", "dir:" + good + "?fps=fast"},
		{"negative fps", "dir:" + good + "?fps=-1"},
		{"unknown key", "dir:" + good + "?speed=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := camera.Open(t.Context(), tt.uri, camera.Options{})
			if !errors.Is(err, camera.ErrPermanent) {
				t.Errorf("Open(%q) = %v, %v; want an error wrapping ErrPermanent", tt.uri, src, err)
			}
		})
	}
}

func TestAllUnreadableWhileLooping(t *testing.T) {
	dir := writeFolder(t, map[string][]byte{"a.jpg": []byte("garbage"), "b.png": nil})
	src, err := camera.Open(t.Context(), "dir:"+dir+"?loop=1", camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Next(t.Context()); !errors.Is(err, camera.ErrPermanent) {
		t.Errorf("Next over a folder of unreadable images = %v; want ErrPermanent rather than a spin", err)
	}
	if st := camera.StatsOf(src); st.Skipped != 2 || st.Errors != 1 {
		t.Errorf("Stats = %+v; want 2 skipped, 1 error", st)
	}
}

// TestImagenet reads every photo of the shared ImageNet set, which has
// greyscale, CMYK and progressive JPEGs, and expects none to be skipped.
func TestImagenet(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("decodes 300 photos: skipped with -short and -race")
	}
	dir := sharedtest.Dir(t, "images", "imagenet")
	src, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := 0
	kinds := map[string]int{}
	for {
		f, err := src.Next(t.Context())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		kinds[typeName(f.Image)]++
	}
	if st := camera.StatsOf(src); st.Skipped != 0 || n != 300 {
		t.Errorf("read %d images, stats %+v; want 300, none skipped", n, st)
	}
	t.Logf("pixel types: %v", kinds)
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.YCbCr:
		return "ycbcr"
	case *image.Gray:
		return "gray"
	case *image.RGBA:
		return "rgba"
	case *image.NRGBA:
		return "nrgba"
	}
	return "other"
}

// FuzzDecode feeds untrusted bytes through the dir: source's decoder: it
// must return an image of a Frame pixel type or an error, never panic or
// allocate without bound.
func FuzzDecode(f *testing.F) {
	for _, ext := range []string{".jpg", ".png", ".bmp"} {
		f.Add(encode(f, ext, testImage(5, 3, color.RGBA{1, 2, 3, 255})))
	}
	f.Add(encode(f, ".png", image.NewPaletted(image.Rect(0, 0, 3, 3), color.Palette{color.Black, color.White})))
	f.Add([]byte("\xff\xd8\xff"))
	path := filepath.Join(f.TempDir(), "frame.jpg")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := Decode(path)
		if err != nil {
			return
		}
		if typeName(img) == "other" {
			t.Errorf("Decode returned a %T; want a Frame pixel type", img)
		}
		if b := img.Bounds(); b.Empty() {
			t.Errorf("Decode returned an empty image %v without error", b)
		}
	})
}
