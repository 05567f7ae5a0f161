package jpeg

import (
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fovea-edge/fovea/internal/testutil/pillowtest"
)

// pillowScript decodes each JPEG named on the command line with Pillow and
// writes Image.open(p).convert("RGB").tobytes() to <outdir>/<index>.rgb.
const pillowScript = `
import sys, PIL
from PIL import Image
out = sys.argv[1]
for i, p in enumerate(sys.argv[2:]):
    try:
        data = Image.open(p).convert("RGB").tobytes()
    except Exception as e:
        data = b""
        open("%s/%d.err" % (out, i), "w").write(repr(e))
    open("%s/%d.rgb" % (out, i), "wb").write(data)
`

// pillowRGB decodes the files with Pillow in one Python run. A nil entry
// means Pillow refused the file.
func pillowRGB(t testing.TB, paths []string) [][]byte {
	t.Helper()
	py := pillowtest.Python(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "decode.py")
	if err := os.WriteFile(script, []byte(pillowScript), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, append([]string{script, dir}, paths...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pillow: %v\n%s", err, out)
	}
	res := make([][]byte, len(paths))
	for i := range paths {
		if _, err := os.Stat(filepath.Join(dir, strconv.Itoa(i)+".err")); err == nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)+".rgb"))
		if err != nil {
			t.Fatal(err)
		}
		res[i] = b
	}
	return res
}

// rgbBytes flattens a decoded image to packed RGB, as Pillow's
// convert("RGB").tobytes() lays it out.
func rgbBytes(img image.Image) []byte {
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*3)
	switch m := img.(type) {
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				out = append(out, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				out = append(out, row[x], row[x], row[x])
			}
		}
	default:
		panic("unexpected image type")
	}
	return out
}
