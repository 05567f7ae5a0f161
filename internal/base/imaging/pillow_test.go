package imaging

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
	"github.com/fovea-edge/fovea/internal/testutil/pillowtest"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// pillowPipeline prints, for each size given and each photo, the SHA-256
// of the bytes the Python reference pipeline feeds a classifier:
// Image.open(p).convert("RGB").resize((s, s), Image.BILINEAR).tobytes().
const pillowPipeline = `
import sys, hashlib
from PIL import Image
sizes = [int(s) for s in sys.argv[1].split(",")]
for p in sys.argv[2:]:
    im = Image.open(p).convert("RGB")
    print(p, " ".join(hashlib.sha256(im.resize((s, s), Image.BILINEAR).tobytes()).hexdigest() for s in sizes))
`

// TestImageNetInputsMatchPillow: for every ImageNet photo in ../shared and
// the input sizes of the three ImageNet models there (128, 160, 224),
// decoding with imgio and resizing with Resize gives exactly the bytes
// Pillow gives. The interpreter is byte-exact on Pillow's tensors (the
// goldens), so fovea classify then ranks every photo as the Python
// reference pipeline (Pillow + TFLite) does.
func TestImageNetInputsMatchPillow(t *testing.T) {
	dir := sharedtest.Dir(t, "images", "imagenet")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var photos []string
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); ext == ".jpeg" || ext == ".jpg" {
			photos = append(photos, filepath.Join(dir, e.Name()))
		}
	}
	if len(photos) == 0 {
		t.Fatalf("no photos in %s", dir)
	}
	if testing.Short() && len(photos) > 30 {
		photos = photos[:30]
	}
	sizes := []int{128, 160, 224}
	out := pillowtest.Run(t, pillowPipeline, append([]string{"128,160,224"}, photos...)...)
	want := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		want[f[0]] = f[1:]
	}
	mismatched := 0
	for _, p := range photos {
		src, err := imgio.DecodeFile(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		for i, s := range sizes {
			dst := image.NewRGBA(image.Rect(0, 0, s, s))
			Resize(dst, src)
			sum := sha256.Sum256(PackRGB(nil, dst))
			if got := hex.EncodeToString(sum[:]); len(want[p]) != len(sizes) || got != want[p][i] {
				mismatched++
				t.Errorf("%s at %dx%d: input tensor differs from Pillow's", filepath.Base(p), s, s)
			}
		}
	}
	t.Logf("%d photos × %d sizes: %d input tensors differ from Pillow's", len(photos), len(sizes), mismatched)
}
