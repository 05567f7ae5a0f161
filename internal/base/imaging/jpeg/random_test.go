package jpeg

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/pillowtest"
)

var (
	randomCount = flag.Int("random.count", 150, "files TestRandomAgainstPillow generates")
	randomSeed  = flag.Int("random.seed", 1, "seed of TestRandomAgainstPillow's generator")
)

// TestRandomAgainstPillow has testdata/random_jpegs.py write random JPEG
// files (Pillow- and, where installed, cjpeg-made: random sizes, samplings,
// qualities, restart intervals, progressive scripts, cut scans) and requires
// Pillow's bytes for every file Pillow decodes, and an error for every file
// it refuses. -random.seed and -random.count explore further.
func TestRandomAgainstPillow(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: generates and decodes random files with Pillow")
	}
	py := pillowtest.Python(t)
	if _, err := exec.LookPath("cjpeg"); err != nil {
		t.Log("note: cjpeg not found (apt-get install libjpeg-turbo-progs); only Pillow-made files are tested")
	}
	dir := t.TempDir()
	script, err := filepath.Abs(filepath.Join("testdata", "random_jpegs.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, dir, strconv.Itoa(*randomCount), strconv.Itoa(*randomSeed))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("random_jpegs.py: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	same, refused := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, derr := DecodeBytes(data)
		want, werr := os.ReadFile(strings.TrimSuffix(f, ".jpg") + ".rgb")
		name := filepath.Base(f)
		switch {
		case werr != nil && derr == nil:
			t.Errorf("%s: Pillow refused it, DecodeBytes decoded it", name)
		case werr != nil:
			refused++
		case derr != nil:
			t.Errorf("%s: %v", name, derr)
		default:
			if n, maxd, _ := diff(rgbBytes(img), want); n != 0 {
				t.Errorf("%s (%v): %d bytes differ from Pillow, max |diff| %d", name, img.Bounds().Size(), n, maxd)
				continue
			}
			same++
		}
	}
	t.Logf("seed %d: %d files identical to Pillow, %d refused by both", *randomSeed, same, refused)
}
