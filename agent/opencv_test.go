//go:build opencv

package agent

import (
	"cmp"
	"context"
	"errors"
	"image"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"gocv.io/x/gocv"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
	"github.com/fovea-edge/fovea/internal/testutil/sharedtest"
)

// TestRunVideoFile drives a real video file through the opencv: camera:
// the test writes ImageNet photos into an MJPG .avi with OpenCV's
// VideoWriter, the agent classifies it once, and every frame yields one
// result whose top-1 equals a Classifier's on the same decoded frame.
func TestRunVideoFile(t *testing.T) {
	_, names := imageSubset(t, 6)
	src := sharedtest.Dir(t, "images", "imagenet")
	video := filepath.Join(t.TempDir(), "clip.avi")
	vw, err := gocv.VideoWriterFile(video, "MJPG", 5, 224, 224, true)
	if err != nil {
		t.Fatalf("VideoWriterFile: %v", err)
	}
	for _, n := range names {
		img, err := imgio.DecodeFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		m, err := gocv.ImageToMatRGB(img)
		if err != nil {
			t.Fatal(err)
		}
		sized := gocv.NewMat()
		gocv.Resize(m, &sized, image.Pt(224, 224), 0, 0, gocv.InterpolationArea)
		if err := vw.Write(sized); err != nil {
			t.Fatalf("VideoWriter.Write: %v", err)
		}
		m.Close()
		sized.Close()
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t, `  - {id: video, uri: "opencv:`+video+`", on_full: wait}`, `http: {listen: "off"}`)
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
	recs := readOutbox(t, cfg.DataDir)
	if len(recs) != len(names) {
		t.Fatalf("%d results for a %d-frame video", len(recs), len(names))
	}
	// Workers append in the order they finish, not in frame order.
	slices.SortFunc(recs, func(a, b record.Record) int { return cmp.Compare(a.Seq, b.Seq) })

	m, err := infer.Open(cfg.Model.Path, infer.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	labels, err := infer.ReadLabels(cfg.Model.Labels)
	if err != nil {
		t.Fatal(err)
	}
	clf, err := infer.NewClassifier(m, infer.ClassifierOptions{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	cam, err := camera.Open(context.Background(), "opencv:"+video, camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	for i := 0; ; i++ {
		f, err := cam.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := clf.Classify(context.Background(), f.Image, 1)
		if err != nil {
			t.Fatal(err)
		}
		if r := recs[i]; r.Seq != f.Seq || r.Top[0].Index != p.Top[0].Index {
			t.Errorf("frame %d: agent seq %d top-1 %d %q; direct seq %d top-1 %d %q", i, r.Seq, r.Top[0].Index, r.Top[0].Label, f.Seq, p.Top[0].Index, p.Top[0].Label)
		}
	}
}
