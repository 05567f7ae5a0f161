package monitor

import (
	"image"
	"image/color"
	"slices"
	"testing"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/demo/shapes"
)

func solid(c color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = c.R, c.G, c.B, 255
	}
	return m
}

func TestCameraHealth(t *testing.T) {
	frozen := shapes.Scene{Size: 64, Seed: 1}.Render(5, false).Image
	tests := []struct {
		name  string
		img   func(i int) image.Image
		test  string
		after int // frames until raised
	}{
		{"black", func(int) image.Image { return solid(color.RGBA{3, 2, 4, 255}) }, "black", 10},
		{"blown out", func(int) image.Image { return solid(color.RGBA{255, 252, 250, 255}) }, "blown_out", 10},
		{"lens covered", func(i int) image.Image { return solid(color.RGBA{120, 118, uint8(110 + i%2), 255}) }, "uniform", 10},
		// The first frame has nothing to compare with; 49 equal ones follow.
		{"frozen", func(int) image.Image { return frozen }, "frozen", 50},
	}
	sc := shapes.Scene{Size: 64, Seed: 2}
	top := []infer.Class{{Label: "circle", Index: 1, Score: 0.9}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(Config{}, captureStatic)
			if err != nil {
				t.Fatal(err)
			}
			seq := uint64(0)
			feed := func(img image.Image) []Event {
				seq++
				return m.Observe(&Frame{Camera: "door", Seq: seq, Time: epoch, Image: img, Top: top}).Events
			}
			for i := range 30 {
				if ev := feed(sc.Render(uint64(i), false).Image); len(ev) != 0 {
					t.Fatalf("events on good frames: %+v", ev)
				}
			}
			raisedAt := -1
			for i := range 60 {
				for _, ev := range feed(tt.img(i)) {
					if ev.Kind == KindCamera && ev.State == StateRaised && ev.Test == tt.test && raisedAt < 0 {
						raisedAt = i + 1
					} else {
						t.Errorf("unexpected event %+v", ev)
					}
				}
			}
			if raisedAt != tt.after {
				t.Errorf("%s raised after %d frames; want %d", tt.test, raisedAt, tt.after)
			}
			if ok, why := m.Ready("door"); ok || !slices.Equal(why, []string{tt.test}) {
				t.Errorf("Ready = %v, %v; want false, [%s]", ok, why, tt.test)
			}
			if st := m.Status(); !st[0].Broken || len(st[0].Alarms) != 1 {
				t.Errorf("Status = %+v; want broken with one alarm", st[0])
			}
			cleared := false
			for i := range 20 {
				for _, ev := range feed(sc.Render(uint64(100+i), false).Image) {
					cleared = cleared || (ev.Test == tt.test && ev.State == StateCleared)
				}
			}
			if ok, _ := m.Ready("door"); !ok || !cleared {
				t.Errorf("after good frames Ready = %v, cleared event = %v; want true, true", ok, cleared)
			}
		})
	}
}
