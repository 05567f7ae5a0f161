package shapes

import (
	"crypto/sha256"
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRenderDeterministic(t *testing.T) {
	s := Scene{Size: 64, Seed: 42, Drifts: []Drift{{Kind: Noise, Amount: 0.3}, {Kind: NewClass, Amount: 0.5}}}
	for _, drifted := range []bool{false, true} {
		for i := range uint64(20) {
			a, b := s.Render(i, drifted), s.Render(i, drifted)
			if sha256.Sum256(a.Image.Pix) != sha256.Sum256(b.Image.Pix) || a.Label != b.Label {
				t.Fatalf("Render(%d, %v) differs between two calls", i, drifted)
			}
		}
	}
}

// TestInsideRadii checks the fast paths of drawShape: every point within
// the inner radius is inside each outline, and none beyond the outer one.
func TestInsideRadii(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, class := range AllClasses[1:] {
		poly := outlines[class]
		for range 20000 {
			a := 2 * math.Pi * rng.Float64()
			r := 1.1 * rng.Float64()
			in := inside(poly, r*math.Cos(a), r*math.Sin(a))
			if r < inner[class] && !in {
				t.Fatalf("%s: point at radius %.3f (< inner %.2f) is outside", class, r, inner[class])
			}
			if r > outer(class) && in {
				t.Fatalf("%s: point at radius %.3f (> outer %.2f) is inside", class, r, outer(class))
			}
		}
	}
}

// shapeBox is the bounding box of the pixels that differ from a render of
// the same parameters without the shape.
func shapeBox(size int, p Params, drifts []Drift) image.Rectangle {
	img := RenderParams(size, p, drifts, 1)
	q := p
	q.Class = Empty
	bg := RenderParams(size, q, drifts, 1)
	var box image.Rectangle
	for y := range size {
		for x := range size {
			i := img.PixOffset(x, y)
			if math.Abs(float64(img.Pix[i])-float64(bg.Pix[i])) > 64 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box
}

func TestShapeGeometry(t *testing.T) {
	base := Params{CX: 32, CY: 32, R: 20, Fg: [3]float64{250, 250, 250}, Bg: [3]float64{10, 10, 10}, Gain: 1, WaveLen: 20}
	tests := []struct {
		name         string
		class        string
		theta        float64
		drifts       []Drift
		wantW, wantH float64 // expected box size in pixels (±2)
	}{
		{"circle", Circle, 0, nil, 34, 34},
		{"square at 45°", Square, 0, nil, 28.3, 28.3},
		{"square on its corner", Square, math.Pi / 4, nil, 40, 40},
		{"triangle", Triangle, 0, nil, 34.6, 30},
		{"hexagon", Hexagon, 0, nil, 40, 34.6},
		{"tilted circle", Circle, 0, []Drift{{Kind: Tilt, Amount: 0.5}}, 34, 34 * math.Cos(math.Pi/4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Class, p.Theta = tt.class, tt.theta
			b := shapeBox(64, p, tt.drifts)
			if math.Abs(float64(b.Dx())-tt.wantW) > 2 || math.Abs(float64(b.Dy())-tt.wantH) > 2 {
				t.Errorf("box %v is %d×%d; want %.1f×%.1f", b, b.Dx(), b.Dy(), tt.wantW, tt.wantH)
			}
		})
	}
}

func TestEmptyHasNoShape(t *testing.T) {
	p := Params{Class: Empty, CX: 32, CY: 32, R: 20, Fg: [3]float64{250, 250, 250}, Bg: [3]float64{10, 10, 10}, Gain: 1, WaveLen: 20}
	if b := shapeBox(64, p, nil); !b.Empty() {
		t.Errorf("empty frame shows something at %v", b)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		scene Scene
		want  string // "" = valid
	}{
		{"default", Scene{Size: 64}, ""},
		{"all drifts", Scene{Size: 64, Drifts: []Drift{{Brightness, -1}, {Contrast, 1}, {Blur, 1}, {Noise, 0.1}, {NewClass, 1}, {Tilt, 0.9}}}, ""},
		{"small", Scene{Size: 8}, "size 8"},
		{"class", Scene{Size: 64, Classes: []string{"blob"}}, `unknown class "blob"`},
		{"drift kind", Scene{Size: 64, Drifts: []Drift{{"fog", 0.5}}}, `unknown drift "fog"`},
		{"drift amount", Scene{Size: 64, Drifts: []Drift{{Blur, 0}}}, "out of range (0, 1]"},
		{"drift NaN", Scene{Size: 64, Drifts: []Drift{{Brightness, math.NaN()}}}, "not a number"},
	}
	for _, tt := range tests {
		err := tt.scene.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: Validate() = %v; want nil", tt.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrBadScene) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v; want ErrBadScene mentioning %q", tt.name, err, tt.want)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := Scene{Size: 64, Seed: 1}
	for i := range b.N {
		s.Render(uint64(i), false)
	}
}
