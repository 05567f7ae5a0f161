package synthetic

import (
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"io"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

// frames reads n frames from a synthetic: URI through the camera registry.
func frames(t *testing.T, rest string, n int) []camera.Frame {
	t.Helper()
	src, err := camera.Open(context.Background(), "synthetic:"+rest, camera.Options{})
	if err != nil {
		t.Fatalf("Open(%q) = %v", rest, err)
	}
	defer src.Close()
	out := make([]camera.Frame, n)
	for i := range out {
		f, err := src.Next(context.Background())
		if err != nil {
			t.Fatalf("Next #%d of %q = %v", i+1, rest, err)
		}
		out[i] = f
	}
	return out
}

func hash(img image.Image) [32]byte {
	return sha256.Sum256(img.(*image.RGBA).Pix)
}

func TestSameSeedSameFrames(t *testing.T) {
	tests := []struct {
		name     string
		a, b     string
		wantSame bool
	}{
		{"same seed", "seed=7", "seed=7", true},
		{"same seed with fps and count", "seed=7&fps=0&count=100", "seed=7", true},
		{"different seed", "seed=7", "seed=8", false},
		{"different size", "seed=7&size=64", "seed=7&size=48", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa, fb := frames(t, tt.a, 20), frames(t, tt.b, 20)
			same := 0
			for i := range fa {
				if fa[i].Seq != uint64(i+1) {
					t.Errorf("frame %d: Seq = %d; want %d", i, fa[i].Seq, i+1)
				}
				if hash(fa[i].Image) == hash(fb[i].Image) && fa[i].Truth == fb[i].Truth {
					same++
				}
			}
			if tt.wantSame && same != len(fa) {
				t.Errorf("%q vs %q: %d of %d frames identical; want all", tt.a, tt.b, same, len(fa))
			}
			if !tt.wantSame && same != 0 {
				t.Errorf("%q vs %q: %d of %d frames identical; want none", tt.a, tt.b, same, len(fa))
			}
		})
	}
}

func TestTruthLabels(t *testing.T) {
	tests := []struct {
		name string
		rest string
		want []string // classes that must all appear, and nothing else
	}{
		{"default classes", "seed=3", shapes.Classes},
		{"chosen classes", "seed=3&classes=circle,star", []string{shapes.Circle, shapes.Star}},
		{"hexagon only", "seed=3&classes=hexagon", []string{shapes.Hexagon}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseURI(tt.rest, 0)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, f := range frames(t, tt.rest, 200) {
				seen[f.Truth]++
				// The truth is the class the scene drew for this frame.
				if p := cfg.Scene.Params(f.Seq - 1); p.Class != f.Truth {
					t.Errorf("Seq %d: Truth %q; scene drew %q", f.Seq, f.Truth, p.Class)
				}
			}
			for _, c := range tt.want {
				if seen[c] == 0 {
					t.Errorf("class %q never appeared in 200 frames (seen %v)", c, seen)
				}
				delete(seen, c)
			}
			if len(seen) > 0 {
				t.Errorf("unexpected classes %v", seen)
			}
		})
	}
}

// stats are image statistics over all channels.
type stats struct{ mean, std, edge float64 }

func imageStats(img *image.RGBA) stats {
	var s, s2, e float64
	n := 0
	b := img.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			for c := range 3 {
				v := float64(img.Pix[y*img.Stride+4*x+c])
				s += v
				s2 += v * v
				n++
				if x > 0 {
					e += math.Abs(v - float64(img.Pix[y*img.Stride+4*(x-1)+c]))
				}
			}
		}
	}
	m := s / float64(n)
	return stats{mean: m, std: math.Sqrt(s2/float64(n) - m*m), edge: e / float64(n)}
}

func TestDriftChangesStatistics(t *testing.T) {
	const n, at = 40, 11
	tests := []struct {
		name  string
		drift string
		check func(before, after stats) bool
		want  string
	}{
		{"brightness up", "drift=brightness&drift_amount=0.3", func(b, a stats) bool { return a.mean > b.mean+40 }, "mean up by > 40 levels"},
		{"brightness down", "drift=brightness&drift_amount=-0.3", func(b, a stats) bool { return a.mean < b.mean-40 }, "mean down by > 40 levels"},
		{"contrast down", "drift=contrast&drift_amount=-0.5", func(b, a stats) bool { return a.std < 0.6*b.std }, "std below 60%"},
		{"blur", "drift=blur&drift_amount=0.5", func(b, a stats) bool { return a.edge < 0.5*b.edge }, "neighbour differences below half"},
		{"noise", "drift=noise&drift_amount=0.5", func(b, a stats) bool { return a.edge > 3*b.edge }, "neighbour differences above 3×"},
		{"tilt", "drift=tilt&drift_amount=0.5", func(b, a stats) bool { return a != b }, "statistics changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := frames(t, "seed=5", n)
			drifted := frames(t, "seed=5&drift_at=11&"+tt.drift, n)
			var before, after stats
			for i := range n {
				same := hash(plain[i].Image) == hash(drifted[i].Image)
				if i+1 < at && !same {
					t.Fatalf("Seq %d before drift_at differs from the undrifted stream", i+1)
				}
				if i+1 >= at && same && plain[i].Truth != shapes.Empty {
					t.Errorf("Seq %d after drift_at is identical to the undrifted stream", i+1)
				}
				if i+1 >= at {
					p, d := imageStats(plain[i].Image.(*image.RGBA)), imageStats(drifted[i].Image.(*image.RGBA))
					before.mean += p.mean / (n - at + 1)
					before.std += p.std / (n - at + 1)
					before.edge += p.edge / (n - at + 1)
					after.mean += d.mean / (n - at + 1)
					after.std += d.std / (n - at + 1)
					after.edge += d.edge / (n - at + 1)
				}
			}
			if !tt.check(before, after) {
				t.Errorf("%s: before %+v, after %+v; want %s", tt.drift, before, after, tt.want)
			}
		})
	}
}

func TestDriftNewClass(t *testing.T) {
	fs := frames(t, "seed=9&drift=newclass&drift_amount=0.5&drift_at=101", 300)
	hex := 0
	for _, f := range fs {
		if f.Truth == shapes.Hexagon {
			if f.Seq < 101 {
				t.Fatalf("Seq %d: hexagon before drift_at", f.Seq)
			}
			hex++
		}
	}
	// 200 drifted frames at probability 0.5: expect about 100.
	if hex < 70 || hex > 130 {
		t.Errorf("hexagons in 200 drifted frames = %d; want about 100", hex)
	}
}

func TestCountEndsStream(t *testing.T) {
	src, err := camera.Open(context.Background(), "synthetic:count=3&size=32", camera.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := range 3 {
		if _, err := src.Next(context.Background()); err != nil {
			t.Fatalf("Next #%d = %v", i+1, err)
		}
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after count = %v; want io.EOF", err)
	}
	if got := camera.StatsOf(src).Frames; got != 3 {
		t.Errorf("Stats.Frames = %d; want 3", got)
	}
}

func TestFPSPacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, err := camera.Open(t.Context(), "synthetic:size=16&fps=10", camera.Options{FPS: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		start := time.Now()
		for range 6 {
			if _, err := src.Next(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		// The URI's fps=10 overrides Options.FPS=1: 6 frames, 5 intervals.
		if got := time.Since(start); got != 500*time.Millisecond {
			t.Errorf("6 frames at fps=10 took %v; want 500ms", got)
		}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := src.Next(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Next with cancelled ctx = %v; want context.Canceled", err)
		}
	})
}

func TestClosed(t *testing.T) {
	src, err := New(Config{Scene: shapes.Scene{Size: 32, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, camera.ErrPermanent) {
		t.Errorf("Next after Close = %v; want ErrPermanent", err)
	}
}

func TestROIFromOptions(t *testing.T) {
	src, err := camera.Open(context.Background(), "synthetic:size=64", camera.Options{ROI: image.Rect(8, 8, 40, 24)})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := src.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b := f.Image.Bounds(); b.Dx() != 32 || b.Dy() != 16 {
		t.Errorf("cropped frame is %v; want 32×16", b)
	}
}
