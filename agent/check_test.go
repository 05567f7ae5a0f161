package agent

import (
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/infer/tflite/optest"
	"github.com/fovea-edge/fovea/infer/tflite/schema"
)

// shapesModel is the demo model committed in the repository (5 classes,
// labels embedded), so these tests need no shared assets.
const shapesModel = "../testdata/models/shapes.tflite"

// reluModel writes a real .tflite whose input is a [1,10] vector, not an
// image.
func reluModel(t *testing.T) string {
	t.Helper()
	g := optest.NewGraph()
	in := g.Input("x", schema.Float32, []int{1, 10}, nil)
	out := g.Output("y", schema.Float32, []int{1, 10}, nil)
	g.Op(schema.OpRelu, []int32{in}, []int32{out}, nil)
	b, err := g.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "relu.tflite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheck: everything `fovea config check` can find without opening a
// camera, with real model files and folders.
func TestCheck(t *testing.T) {
	frames := t.TempDir()
	f, err := os.Create(filepath.Join(frames, "a.png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	f.Close()
	noImages := t.TempDir()
	labels5 := writeFile(t, "labels.txt", "empty\ncircle\nsquare\ntriangle\nstar\n")
	labels2 := writeFile(t, "labels.txt", "cat\ndog\n")
	notModel := writeFile(t, "m.tflite", "this is not a model")
	fileDataDir := writeFile(t, "state", "")

	// A device path is refused only where the opencv: backend is not
	// compiled in; with it, the device may be plugged in later.
	video0 := `cameras[1] (c1).uri "opencv:/dev/video0"`
	camerasWant := []string{
		`cameras[0] (c0).uri "foo:bar": unknown camera scheme "foo"`,
		`cameras[2] (c2).uri "synthetic:seed=x"`, `seed="x"`,
		`cameras[3] (c3).uri`, "holds no .jpg",
		`cameras[4] (c4).uri`, "no such file",
	}
	hasOpenCV := slices.Contains(camera.Schemes(), "opencv")
	if !hasOpenCV {
		camerasWant = append(camerasWant, video0)
	}
	tests := []struct {
		name   string
		model  string
		labels string
		uris   []string
		data   string
		want   []string // substrings of the error; none = valid
	}{
		{"valid", shapesModel, "", []string{"synthetic:seed=2", "dir:" + frames, "mjpeg:http://127.0.0.1:8080/s"}, "", nil},
		{"valid with labels", shapesModel, labels5, []string{"dir:" + frames + "?loop=1"}, "", nil},
		{"missing model", filepath.Join(frames, "none.tflite"), "", []string{"dir:" + frames}, "", []string{"model.path: stat", "no such file"}},
		{"not a model", notModel, "", []string{"dir:" + frames}, "", []string{"model " + notModel}},
		{"input not an image", reluModel(t), "", []string{"dir:" + frames}, "", []string{"cannot classify images", "want [1,H,W,C]"}},
		{"labels do not match", shapesModel, labels2, []string{"dir:" + frames}, "", []string{"2 labels for 5 output classes"}},
		{"labels missing", shapesModel, filepath.Join(frames, "none.txt"), []string{"dir:" + frames}, "", []string{"model.labels:", "no such file"}},
		{"cameras", shapesModel, "", []string{
			"foo:bar", "opencv:/dev/video0", "synthetic:seed=x", "dir:" + noImages, "dir:" + filepath.Join(frames, "nope"),
		}, "", camerasWant},
		{"data_dir is a file", shapesModel, "", []string{"dir:" + frames}, fileDataDir, []string{"data_dir " + fileDataDir + " is a file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := "version: 1\ndevice_id: d\nmodel: {path: " + tt.model + ", labels: '" + tt.labels + "'}\ncameras:\n"
			for i, u := range tt.uris {
				y += "  - {id: c" + string(rune('0'+i)) + ", uri: '" + u + "'}\n"
			}
			if tt.data != "" {
				y += "data_dir: " + tt.data + "\n"
			}
			cfg, err := config.Parse([]byte(y))
			if err != nil {
				t.Fatalf("config.Parse = %v\n%s", err, y)
			}
			info, err := Check(cfg)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Check = %v; want nil", err)
				}
				if info.Name != "shapes" {
					t.Errorf("Check model name = %q; want shapes", info.Name)
				}
				return
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("Check = %v; want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check error:\n%v\nwant it to contain %q", err, w)
				}
			}
			if hasOpenCV && strings.Contains(err.Error(), video0) {
				t.Errorf("Check error:\n%v\nrefuses a device path, which the opencv: backend accepts", err)
			}
		})
	}
}
