package synthetic

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

func TestParseURI(t *testing.T) {
	tests := []struct {
		rest string
		want Config
	}{
		{"", Config{Scene: shapes.Scene{Size: 64, Seed: 1}, FPS: 2}},
		{"?seed=3", Config{Scene: shapes.Scene{Size: 64, Seed: 3}, FPS: 2}},
		{"seed=1&size=32&fps=10&count=5", Config{Scene: shapes.Scene{Size: 32, Seed: 1}, FPS: 10, Count: 5}},
		{"classes=circle,hexagon", Config{Scene: shapes.Scene{Size: 64, Seed: 1, Classes: []string{"circle", "hexagon"}}, FPS: 2}},
		{"drift=brightness&drift_at=500&drift_amount=0.5", Config{
			Scene:   shapes.Scene{Size: 64, Seed: 1, Drifts: []shapes.Drift{{Kind: shapes.Brightness, Amount: 0.5}}},
			FPS:     2,
			DriftAt: 500}},
		{"drift=blur,tilt", Config{
			Scene:   shapes.Scene{Size: 64, Seed: 1, Drifts: []shapes.Drift{{Kind: shapes.Blur, Amount: 0.5}, {Kind: shapes.Tilt, Amount: 0.5}}},
			FPS:     2,
			DriftAt: 1}},
		{"drift=contrast", Config{
			Scene:   shapes.Scene{Size: 64, Seed: 1, Drifts: []shapes.Drift{{Kind: shapes.Contrast, Amount: -0.5}}},
			FPS:     2,
			DriftAt: 1}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.rest, 2)
		if err != nil {
			t.Errorf("ParseURI(%q) = %v", tt.rest, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseURI(%q) = %+v; want %+v", tt.rest, got, tt.want)
		}
	}
}

func TestParseURIErrors(t *testing.T) {
	tests := []struct {
		rest string
		want []string // substrings of the error
	}{
		{"colour=red", []string{`unknown parameter "colour"`, "known: seed"}},
		{"seed=-1", []string{"seed", "non-negative integer"}},
		{"size=8", []string{"size", "[16, 1024]"}},
		{"fps=fast", []string{"fps"}},
		{"count=x", []string{"count"}},
		{"classes=circle,blob", []string{"classes", "hexagon"}},
		{"drift=fog", []string{`unknown drift "fog"`, "brightness"}},
		{"drift=blur&drift_amount=2", []string{"blur amount 2 out of range"}},
		{"drift=brightness&drift_amount=x", []string{"drift_amount"}},
		{"drift=brightness&drift_at=0", []string{"drift_at"}},
		{"drift_at=5", []string{"need drift=KIND"}},
		{"seed=1&seed=2", []string{"given 2 times"}},
		{"size=8&fps=-1", []string{"size", "fps"}},
		{"%zz", []string{"not a query string"}},
	}
	for _, tt := range tests {
		_, err := ParseURI(tt.rest, 0)
		if err == nil {
			t.Errorf("ParseURI(%q) = nil error; want one mentioning %q", tt.rest, tt.want)
			continue
		}
		if !errors.Is(err, camera.ErrPermanent) {
			t.Errorf("ParseURI(%q) = %v; want it to wrap camera.ErrPermanent", tt.rest, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseURI(%q) = %v; want it to mention %q", tt.rest, err, w)
			}
		}
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{"", "seed=1&size=64&fps=10", "drift=blur,tilt&drift_at=3&drift_amount=0.2",
		"classes=star", "size=16&count=1", "drift=newclass&drift_amount=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		cfg, err := ParseURI(rest, 0)
		if err != nil {
			if !errors.Is(err, camera.ErrPermanent) {
				t.Fatalf("ParseURI(%q) = %v; want ErrPermanent", rest, err)
			}
			return
		}
		if err := cfg.Scene.Validate(); err != nil {
			t.Fatalf("ParseURI(%q) accepted an invalid scene: %v", rest, err)
		}
		if cfg.Scene.Size > 128 {
			return // rendering big frames would slow the fuzzer down
		}
		src, err := New(cfg)
		if err != nil {
			t.Fatalf("New(ParseURI(%q)) = %v", rest, err)
		}
		f, err := src.Next(t.Context())
		if err != nil {
			t.Fatalf("Next = %v", err)
		}
		if f.Image.Bounds().Dx() != cfg.Scene.Size {
			t.Fatalf("frame width %d; want %d", f.Image.Bounds().Dx(), cfg.Scene.Size)
		}
	})
}
