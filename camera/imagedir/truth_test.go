package imagedir

import (
	"errors"
	"image/color"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

func TestParseTruth(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string // substring; "" = no error
	}{
		{"two columns", "a.jpg\tcat\nb.png\tdog\n", map[string]string{"a.jpg": "cat", "b.png": "dog"}, ""},
		{"imagenet header", "file\tsynset\tindex_1000\tindex_1001\tlabel\n" +
			"n01440764_tench.JPEG\tn01440764\t0\t1\ttench, Tinca tinca\n",
			map[string]string{"n01440764_tench.JPEG": "tench, Tinca tinca"}, ""},
		{"header with label second", "file\tlabel\r\nx.jpg\tbird\r\n", map[string]string{"x.jpg": "bird"}, ""},
		{"comments and blanks", "# truth\n\na.jpg\tcat\n", map[string]string{"a.jpg": "cat"}, ""},
		{"empty file", "", map[string]string{}, ""},
		{"header without label", "file\tsynset\na.jpg\tn1\n", nil, `names no "label" column`},
		{"one column", "a.jpg\n", nil, "line 1: 1 column(s)"},
		{"short row under header", "file\tsynset\tlabel\na.jpg\tn1\n", nil, "line 2: 2 column(s); want at least 3"},
		{"path not name", "sub/a.jpg\tcat\n", nil, "plain file name"},
		{"empty label", "a.jpg\t \n", nil, "empty label"},
		{"duplicate", "a.jpg\tcat\na.jpg\tdog\n", nil, "line 2: a.jpg is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTruth([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseTruth(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tt.want) {
				t.Fatalf("ParseTruth(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestTruthFrames reads a folder with a ground_truth.tsv: listed frames
// carry their label, the others none.
func TestTruthFrames(t *testing.T) {
	red := encode(t, ".png", testImage(4, 4, color.RGBA{255, 0, 0, 255}))
	dir := writeFolder(t, map[string][]byte{
		"a.png":   red,
		"b.png":   red,
		"c.png":   red,
		TruthFile: []byte("a.png\tred square\nc.png\tcrimson\nmissing.png\tghost\n"),
	})
	src, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got := map[string]string{}
	for {
		f, err := src.Next(t.Context())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[f.Name] = f.Truth
	}
	want := map[string]string{"a.png": "red square", "b.png": "", "c.png": "crimson"}
	if !maps.Equal(got, want) {
		t.Errorf("frame truths = %v; want %v", got, want)
	}
}

func TestBadTruthFileRefused(t *testing.T) {
	dir := writeFolder(t, map[string][]byte{
		"a.png":   encode(t, ".png", testImage(2, 2, color.RGBA{A: 255})),
		TruthFile: []byte("a.png\n"),
	})
	_, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{})
	if !errors.Is(err, camera.ErrPermanent) || !strings.Contains(err.Error(), TruthFile) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Open with a malformed %s = %v; want ErrPermanent naming the file and line", TruthFile, err)
	}
	if err := camera.Check("dir:" + dir); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("Check with a malformed %s = %v; want the same error", TruthFile, err)
	}
}

func TestCheck(t *testing.T) {
	good := mixedFolder(t)
	empty := writeFolder(t, map[string][]byte{"readme.txt": []byte("x")})
	file := filepath.Join(good, "a.jpg")
	tests := []struct {
		uri, err string // err "" = valid
	}{
		{"dir:" + good, ""},
		{"dir:" + good + "?loop=1&fps=2", ""},
		{"dir:" + filepath.Join(good, "nope"), "no such file"},
		{"dir:" + file, "not a directory"},
		{"dir:" + empty, "holds no .jpg"},
		{"dir:" + good + "?speed=2", `unknown query parameter "speed"`},
		{"dir:", "empty folder path"},
	}
	for _, tt := range tests {
		err := camera.Check(tt.uri)
		if tt.err == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v; want nil", tt.uri, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, camera.ErrPermanent) {
			t.Errorf("Check(%q) = %v; want ErrPermanent containing %q", tt.uri, err, tt.err)
		}
	}
}

// TestAllUnreadableOnce: a folder read once in which no image decodes
// ends with an error naming the folder and the first bad files, not with
// io.EOF and no frames.
func TestAllUnreadableOnce(t *testing.T) {
	dir := writeFolder(t, map[string][]byte{
		"a.jpg": []byte("garbage"), "b.png": nil, "c.bmp": []byte("BM"), "d.jpg": []byte("x"), "e.jpg": []byte("y"),
	})
	src, err := camera.Open(t.Context(), "dir:"+dir, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = src.Next(t.Context())
	if !errors.Is(err, camera.ErrPermanent) {
		t.Fatalf("Next over a folder of unreadable images = %v; want ErrPermanent", err)
	}
	for _, want := range []string{dir, "none of the 5 images", "a.jpg (", "b.png (", "c.bmp (", "and 2 more"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Next error = %q; want it to contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "d.jpg") {
		t.Errorf("Next error = %q; want at most %d file names", err, maxBadNames)
	}
}

func FuzzParseTruth(f *testing.F) {
	f.Add([]byte("a.jpg\tcat\n"))
	f.Add([]byte("file\tsynset\tindex_1000\tindex_1001\tlabel\nx.JPEG\tn1\t0\t1\ttench\n"))
	f.Add([]byte("# c\n\nfile\tlabel\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		truth, err := ParseTruth(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("ParseTruth returned an error with an empty message")
			}
			return
		}
		for file, label := range truth {
			if file == "" || label == "" || strings.ContainsAny(file, `/\`) {
				t.Fatalf("ParseTruth(%q) accepted file %q label %q", data, file, label)
			}
		}
	})
}

// TestSharedImagenetTruth reads the ground truth shipped with the shared
// ImageNet sample: every one of the 300 photos is listed.
func TestSharedImagenetTruth(t *testing.T) {
	dir := sharedtest.Dir(t, "images", "imagenet")
	truth, err := loadTruth(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := list(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if truth[f] == "" {
			t.Errorf("%s has no label in %s", f, TruthFile)
		}
	}
	if got := truth["n01440764_tench.JPEG"]; got != "tench, Tinca tinca" {
		t.Errorf("truth of the tench = %q; want %q", got, "tench, Tinca tinca")
	}
	if _, err := os.Stat(filepath.Join(dir, TruthFile)); err != nil {
		t.Fatal(err)
	}
}
