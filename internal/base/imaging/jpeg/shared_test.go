package jpeg

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// sharedJPEGs lists the JPEG photos in ../shared/images (imagenet and misc).
func sharedJPEGs(t testing.TB) []string {
	t.Helper()
	root := sharedtest.Dir(t, "images")
	var paths []string
	err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !e.IsDir() && (ext == ".jpg" || ext == ".jpeg") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	return paths
}

// TestMatchesPillowShared decodes every shared photo and requires the
// bytes Pillow gets.
func TestMatchesPillowShared(t *testing.T) {
	paths := sharedJPEGs(t)
	want := pillowRGB(t, paths)
	same := 0
	for i, p := range paths {
		name, _ := filepath.Rel(filepath.Dir(filepath.Dir(p)), p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeBytes(data)
		if want[i] == nil {
			if err == nil {
				t.Errorf("%s: Pillow refused the file but DecodeBytes accepted it", name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: DecodeBytes: %v", name, err)
			continue
		}
		got := rgbBytes(img)
		if n, maxd, first := diff(got, want[i]); n != 0 {
			b := img.Bounds()
			t.Errorf("%s (%dx%d): %d of %d bytes differ from Pillow, max |diff| %d, first at byte %d (pixel %d,%d)",
				name, b.Dx(), b.Dy(), n, len(want[i]), maxd, first, first/3%b.Dx(), first/3/b.Dx())
			continue
		}
		same++
	}
	t.Logf("%d of %d shared JPEGs byte-identical to Pillow", same, len(paths))
}

// diff counts differing bytes; a length mismatch counts as all differing.
func diff(a, b []byte) (n, maxd, first int) {
	if len(a) != len(b) {
		return max(len(a), len(b)), 255, 0
	}
	first = -1
	for i := range a {
		if a[i] != b[i] {
			if first < 0 {
				first = i
			}
			n++
			maxd = max(maxd, absInt(int(a[i])-int(b[i])))
		}
	}
	return n, maxd, first
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
