package infer_test

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	_ "github.com/fovea-edge/fovea/infer/tflite"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestImageNetAccuracy classifies the 300 labelled photos with golden
// ImageNet models and checks top-1 against the accuracy the real TFLite
// runtime reaches on the same photos with Pillow's preprocessing
// (golden/GENERATED.md): decoding, resizing and the interpreter are all
// byte-exact, so the accuracy must be exactly the same.
func TestImageNetAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping 300-image accuracy run in -short mode")
	}
	golden := sharedtest.Dir(t, "golden")
	images := sharedtest.Dir(t, "images", "imagenet")
	truth := readTruth(t, filepath.Join(images, "ground_truth.tsv"))
	tests := []struct {
		model   string
		runtime float64 // TFLite built-in kernels, top-1 %
	}{
		{"mobilenet_v1_0.25_128_quant", 42.0},
		{"mobilenet_v2_1.0_224_quant", 81.0},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			m, err := infer.Open(filepath.Join(golden, "models", tt.model+".tflite"), infer.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c, err := infer.NewClassifier(m, infer.ClassifierOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var correct, n int
			for _, row := range truth {
				img, err := imgio.DecodeFile(filepath.Join(images, row.file))
				if err != nil {
					t.Fatal(err)
				}
				pred, err := c.Classify(context.Background(), img, 1)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if pred.Top[0].Index == row.index1001 {
					correct++
				}
			}
			acc := 100 * float64(correct) / float64(n)
			t.Logf("%s: top-1 %.1f%% on %d photos (TFLite built-in: %.1f%%)", tt.model, acc, n, tt.runtime)
			if math.Abs(acc-tt.runtime) > 0.05 {
				t.Errorf("%s top-1 = %.1f%%; want TFLite's %.1f%% exactly", tt.model, acc, tt.runtime)
			}
		})
	}
}

type truthRow struct {
	file      string
	index1001 int
}

func readTruth(t *testing.T, path string) []truthRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []truthRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || cols[0] == "file" {
			continue
		}
		idx, err := strconv.Atoi(cols[3])
		if err != nil {
			t.Fatalf("%s: bad index_1001 %q", path, cols[3])
		}
		rows = append(rows, truthRow{cols[0], idx})
	}
	if len(rows) != 300 {
		t.Fatalf("%s: %d rows; want 300", path, len(rows))
	}
	return rows
}
