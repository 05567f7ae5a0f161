package framestats

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func gray(w, h int, f func(x, y int) uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Pix[y*m.Stride+x] = f(x, y)
		}
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMeasure(t *testing.T) {
	solid := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := 0; i < len(solid.Pix); i += 4 {
		solid.Pix[i], solid.Pix[i+1], solid.Pix[i+2], solid.Pix[i+3] = 30, 60, 90, 255
	}
	tests := []struct {
		name string
		img  image.Image
		want Stats
	}{
		{"uniform grey", gray(10, 10, func(x, y int) uint8 { return 100 }),
			Stats{Brightness: 100, R: 100, G: 100, B: 100, Change: -1}},
		// An 18×18 frame samples exactly its 16×16 interior pixels. On a
		// 0/200 checkerboard half the points are 0 and half 200 (mean
		// 100, SD 100) and the Laplacian is ±800 (variance 640000).
		{"checkerboard", gray(18, 18, func(x, y int) uint8 { return uint8(200 * ((x + y) % 2)) }),
			Stats{Brightness: 100, Contrast: 100, Sharpness: 640000, R: 100, G: 100, B: 100, Dark: 0.5, Change: -1}},
		// 0.299·30 + 0.587·60 + 0.114·90 = 54.45 in fixed point:
		// (19595·30 + 38470·60 + 7471·90) >> 8 = 13939 (1/256 levels).
		{"colour", solid, Stats{Brightness: 13939.0 / 256, R: 30, G: 60, B: 90, Change: -1}},
		{"white", gray(20, 20, func(x, y int) uint8 { return 250 }),
			Stats{Brightness: 250, R: 250, G: 250, B: 250, Bright: 1, Change: -1}},
		{"too small", gray(2, 2, func(x, y int) uint8 { return 9 }), Stats{Change: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sp Sampler
			var got Stats
			sp.Measure(tt.img, &got)
			w := tt.want
			if !near(got.Brightness, w.Brightness) || !near(got.Contrast, w.Contrast) || !near(got.Sharpness, w.Sharpness) ||
				!near(got.R, w.R) || !near(got.G, w.G) || !near(got.B, w.B) || !near(got.Dark, w.Dark) ||
				!near(got.Bright, w.Bright) || got.Change != w.Change {
				t.Errorf("Measure(%s) = %+v; want %+v", tt.name, got, w)
			}
		})
	}
}

func TestChange(t *testing.T) {
	var sp Sampler
	var s Stats
	a := gray(50, 50, func(x, y int) uint8 { return uint8(x + y) })
	b := gray(50, 50, func(x, y int) uint8 { return uint8(x + y + 10) })
	sp.Measure(a, &s)
	if s.Change != -1 {
		t.Errorf("first frame Change = %v; want -1", s.Change)
	}
	sp.Measure(a, &s)
	if s.Change != 0 {
		t.Errorf("same frame Change = %v; want 0", s.Change)
	}
	sp.Measure(b, &s)
	if !near(s.Change, 10) {
		t.Errorf("frame +10 Change = %v; want 10", s.Change)
	}
	sp.Measure(gray(60, 50, func(x, y int) uint8 { return 0 }), &s)
	if s.Change != -1 {
		t.Errorf("after a size change Change = %v; want -1", s.Change)
	}
}

// TestFastPathsAgree measures the same picture stored as RGBA, NRGBA,
// YCbCr (4:4:4, neutral chroma) and through the generic image.Image path.
func TestFastPathsAgree(t *testing.T) {
	const w, h = 70, 50
	f := func(x, y int) uint8 { return uint8((x*7 + y*3) % 256) }
	g := gray(w, h, f)
	rgba := image.NewRGBA(g.Rect)
	nrgba := image.NewNRGBA(g.Rect)
	ycc := image.NewYCbCr(g.Rect, image.YCbCrSubsampleRatio444)
	pal := image.NewPaletted(g.Rect, color.Palette(grayPalette()))
	for y := range h {
		for x := range w {
			v := f(x, y)
			rgba.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
			ycc.Y[ycc.YOffset(x, y)] = v
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = 128, 128
			pal.SetColorIndex(x, y, v)
		}
	}
	var want Stats
	new(Sampler).Measure(g, &want)
	for name, img := range map[string]image.Image{"rgba": rgba, "nrgba": nrgba, "ycbcr": ycc, "paletted": pal} {
		var got Stats
		new(Sampler).Measure(img, &got)
		// BT.601 luma of a grey pixel is the pixel up to float rounding.
		if math.Abs(got.Brightness-want.Brightness) > 1e-6 || math.Abs(got.Sharpness-want.Sharpness) > 1e-3 || math.Abs(got.R-want.R) > 1e-9 {
			t.Errorf("%s: %+v; want %+v", name, got, want)
		}
	}
}

func grayPalette() []color.Color {
	p := make([]color.Color, 256)
	for i := range p {
		p[i] = color.Gray{uint8(i)}
	}
	return p
}

func TestMeasureAllocatesNothing(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	var sp Sampler
	var s Stats
	if n := testing.AllocsPerRun(50, func() { sp.Measure(img, &s) }); n != 0 {
		t.Errorf("Measure allocates %v times per frame; want 0", n)
	}
}

func BenchmarkMeasure(b *testing.B) {
	for _, size := range []int{64, 640} {
		img := image.NewRGBA(image.Rect(0, 0, size, size*3/4))
		b.Run(image.Pt(size, size*3/4).String(), func(b *testing.B) {
			var sp Sampler
			var s Stats
			b.ReportAllocs()
			for b.Loop() {
				sp.Measure(img, &s)
			}
		})
	}
}
