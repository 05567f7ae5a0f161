package imaging

import (
	"image"
	"image/color"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// rowImage is a w×1 grey image with the given values.
func rowImage(v ...uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, len(v), 1))
	copy(g.Pix, v)
	return g
}

func TestResizeHandComputed(t *testing.T) {
	tests := []struct {
		name string
		in   []uint8
		out  int
		want []uint8
	}{
		// support widens to 2 when halving: taps 3/7, 3/7, 1/7
		{"halve antialiased", []uint8{0, 100, 200, 255}, 2, []uint8{71, 209}},
		{"double", []uint8{0, 200}, 4, []uint8{0, 50, 150, 200}},
		{"identity", []uint8{3, 1, 4, 1, 5}, 5, []uint8{3, 1, 4, 1, 5}},
		{"to one pixel", []uint8{10, 20, 30}, 1, []uint8{20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := image.NewRGBA(image.Rect(0, 0, tt.out, 1))
			Resize(dst, rowImage(tt.in...))
			for i, w := range tt.want {
				if c := dst.RGBAAt(i, 0); c != (color.RGBA{w, w, w, 255}) {
					t.Errorf("Resize(%v → %d) pixel %d = %v; want grey %d", tt.in, tt.out, i, c, w)
				}
			}
		})
	}
}

// picture is a random w×h image in each pixel type Resize has a fast path
// for, all showing (nearly) the same colours.
func picture(w, h int, seed uint64) map[string]image.Image {
	r := rand.New(rand.NewPCG(seed, 1))
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	gray := image.NewGray(rgba.Rect)
	ycc := image.NewYCbCr(rgba.Rect, image.YCbCrSubsampleRatio444)
	for i := range gray.Pix {
		v := uint8(r.IntN(256))
		gray.Pix[i] = v
		ycc.Y[i], ycc.Cb[i], ycc.Cr[i] = v, 128, 128
		rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = v, v, v, 255
	}
	nrgba := &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect}
	return map[string]image.Image{"rgba": rgba, "gray": gray, "ycbcr444": ycc, "nrgba": nrgba, "generic": struct{ image.Image }{rgba}}
}

func TestResizeTypesAgree(t *testing.T) {
	sizes := []struct{ inW, inH, outW, outH int }{
		{64, 48, 16, 16}, {17, 9, 5, 7}, {8, 8, 24, 20}, {100, 3, 7, 3}, {31, 31, 31, 31},
	}
	for _, s := range sizes {
		pics := picture(s.inW, s.inH, uint64(s.inW))
		ref := image.NewRGBA(image.Rect(0, 0, s.outW, s.outH))
		Resize(ref, pics["rgba"])
		for name, src := range pics {
			dst := image.NewRGBA(ref.Rect)
			Resize(dst, src)
			for i := range dst.Pix {
				if dst.Pix[i] != ref.Pix[i] {
					t.Errorf("%dx%d → %dx%d: %s byte %d = %d; want %d as from *image.RGBA", s.inW, s.inH, s.outW, s.outH, name, i, dst.Pix[i], ref.Pix[i])
					break
				}
			}
		}
	}
}

// TestResizeChromaSubsampling checks that subsampled frames with flat
// chroma give exactly the 4:4:4 result: the fancy upsampling weights of
// 4:2:0 and 4:2:2 sum to one, including at odd-sized edges. (Real chroma is
// checked against Pillow in TestPillowGolden.)
func TestResizeChromaSubsampling(t *testing.T) {
	tests := []struct {
		name  string
		ratio image.YCbCrSubsampleRatio
	}{
		{"420", image.YCbCrSubsampleRatio420},
		{"422", image.YCbCrSubsampleRatio422},
		{"440", image.YCbCrSubsampleRatio440},
		{"411", image.YCbCrSubsampleRatio411},
	}
	rect := image.Rect(0, 0, 33, 21) // odd sizes exercise the edges
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := image.NewYCbCr(rect, image.YCbCrSubsampleRatio444)
			sub := image.NewYCbCr(rect, tt.ratio)
			for y := range rect.Dy() {
				for x := range rect.Dx() {
					full.Y[full.YOffset(x, y)] = uint8(4*x + 2*y)
					sub.Y[sub.YOffset(x, y)] = uint8(4*x + 2*y)
					full.Cb[full.COffset(x, y)], full.Cr[full.COffset(x, y)] = 90, 170
					sub.Cb[sub.COffset(x, y)], sub.Cr[sub.COffset(x, y)] = 90, 170
				}
			}
			a := image.NewRGBA(image.Rect(0, 0, 12, 9))
			b := image.NewRGBA(a.Rect)
			Resize(a, full)
			Resize(b, sub)
			for i := range a.Pix {
				if a.Pix[i] != b.Pix[i] {
					t.Fatalf("byte %d: %s gives %d, 4:4:4 gives %d", i, tt.name, b.Pix[i], a.Pix[i])
				}
			}
		})
	}
}

func TestResizeSubImageAndOffsets(t *testing.T) {
	pics := picture(40, 30, 7)
	roi := image.Rect(5, 3, 25, 23)
	for name, src := range pics {
		si, ok := src.(interface {
			SubImage(image.Rectangle) image.Image
		})
		if !ok {
			continue
		}
		crop := si.SubImage(roi)
		copied := image.NewRGBA(image.Rect(0, 0, roi.Dx(), roi.Dy()))
		for y := range roi.Dy() {
			for x := range roi.Dx() {
				copied.Set(x, y, crop.At(roi.Min.X+x, roi.Min.Y+y))
			}
		}
		// the destination has an offset too
		a := image.NewRGBA(image.Rect(100, 200, 110, 207))
		b := image.NewRGBA(a.Rect)
		Resize(a, crop)
		Resize(b, copied)
		for i := range a.Pix {
			if a.Pix[i] != b.Pix[i] {
				t.Errorf("%s: resizing a sub-image differs from resizing its copy at byte %d: %d vs %d", name, i, a.Pix[i], b.Pix[i])
				break
			}
		}
	}
}

func TestResizeEmpty(t *testing.T) {
	dst := image.NewRGBA(image.Rect(0, 0, 2, 2))
	Resize(dst, image.NewRGBA(image.Rect(0, 0, 0, 5)))
	Resize(image.NewRGBA(image.Rect(0, 0, 0, 0)), rowImage(1, 2))
	for _, v := range dst.Pix {
		if v != 0 {
			t.Fatalf("Resize from an empty image wrote %v; want dst unchanged", dst.Pix)
		}
	}
}

func TestPackRGB(t *testing.T) {
	img := image.NewRGBA(image.Rect(1, 1, 3, 2))
	img.SetRGBA(1, 1, color.RGBA{1, 2, 3, 255})
	img.SetRGBA(2, 1, color.RGBA{4, 5, 6, 255})
	got := PackRGB([]uint8{9}, img)
	want := []uint8{9, 1, 2, 3, 4, 5, 6}
	if string(got) != string(want) {
		t.Errorf("PackRGB = %v; want %v", got, want)
	}
}

// benchResize resizes src to 224×224. Besides wall time it reports
// cpu-ns/op, the process's user+system CPU time per resize (all threads),
// which stays meaningful on a shared, loaded machine.
func benchResize(b *testing.B, resize func(*image.RGBA, image.Image), src image.Image) {
	dst := image.NewRGBA(image.Rect(0, 0, 224, 224))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		resize(dst, src)
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchFrames are typical camera frames: JPEG-decoded VGA and 1080p
// (4:2:0) and an RGBA VGA frame (what opencv: delivers).
func benchFrames() map[string]image.Image {
	vga := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
	hd := image.NewYCbCr(image.Rect(0, 0, 1920, 1080), image.YCbCrSubsampleRatio420)
	for _, p := range []*image.YCbCr{vga, hd} {
		for i := range p.Y {
			p.Y[i] = uint8(i * 7)
		}
		for i := range p.Cb {
			p.Cb[i], p.Cr[i] = uint8(i*3), uint8(i*5)
		}
	}
	rgba := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i * 11)
	}
	return map[string]image.Image{"ycbcr640x480": vga, "ycbcr1920x1080": hd, "rgba640x480": rgba}
}

func BenchmarkResize(b *testing.B) {
	for _, name := range []string{"ycbcr640x480", "ycbcr1920x1080", "rgba640x480"} {
		src := benchFrames()[name]
		b.Run(name+"/go", func(b *testing.B) { benchResize(b, Resize, src) })
	}
}

// TestResizeYCbCrCrops crops subsampled frames at odd and even offsets
// (as an ROI does) and checks the result against Go's own colour
// conversion, which differs only in chroma upsampling and rounding.
func TestResizeYCbCrCrops(t *testing.T) {
	ratios := map[string]image.YCbCrSubsampleRatio{"420": image.YCbCrSubsampleRatio420, "422": image.YCbCrSubsampleRatio422}
	crops := []image.Rectangle{
		image.Rect(0, 0, 40, 30), image.Rect(1, 1, 40, 30), image.Rect(3, 2, 26, 17), image.Rect(1, 0, 2, 29), image.Rect(5, 7, 38, 8),
	}
	for name, ratio := range ratios {
		full := image.NewYCbCr(image.Rect(0, 0, 40, 30), ratio)
		for y := range 30 {
			for x := range 40 {
				full.Y[full.YOffset(x, y)] = uint8(60 + 3*x + 2*y)
				full.Cb[full.COffset(x, y)] = uint8(100 + x)
				full.Cr[full.COffset(x, y)] = uint8(150 - y)
			}
		}
		for _, r := range crops {
			crop := full.SubImage(r)
			for _, out := range []image.Rectangle{image.Rect(0, 0, 7, 5), image.Rect(0, 0, 50, 40)} {
				got := image.NewRGBA(out)
				want := image.NewRGBA(out)
				Resize(got, crop)
				Resize(want, struct{ image.Image }{crop}) // Go's At: nearest chroma
				m, _ := diff(got, PackRGB(nil, want))
				if m > 2 {
					t.Errorf("%s crop %v → %v: mean abs diff %.2f from Go's conversion; want ≤ 2", name, r, out.Size(), m)
				}
			}
		}
	}
}
