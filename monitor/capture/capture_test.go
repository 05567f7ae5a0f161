package capture

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)

// frame is a w×h picture whose every pixel is (x, y, 200) so a test can
// tell where a stored pixel came from.
func frame(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	return m
}

func offer(seq uint64, conf float64) *Offer {
	return &Offer{Camera: "door", Seq: seq, Time: t0.Add(time.Duration(seq) * time.Second), Image: frame(40, 30),
		Label: "circle", Confidence: conf, Model: Model{Name: "shapes", Version: "v1", SHA256: "abc"}}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		edit  func(o *Offer)
		want  string
	}{
		{"low confidence", Rules{LowConfidence: 0.6}, func(o *Offer) { o.Confidence = 0.4 }, RuleLowConfidence},
		{"confident", Rules{LowConfidence: 0.6}, func(o *Offer) { o.Confidence = 0.9 }, ""},
		{"disagreement", Rules{Disagreement: true}, func(o *Offer) { o.Shadow = "star" }, RuleDisagreement},
		{"agreement", Rules{Disagreement: true}, func(o *Offer) { o.Shadow = "circle" }, ""},
		{"no shadow", Rules{Disagreement: true}, func(o *Offer) {}, ""},
		{"drift", Rules{Drift: true}, func(o *Offer) { o.Drifting = true }, RuleDrift},
		{"no drift", Rules{Drift: true}, func(o *Offer) {}, ""},
		{"random always", Rules{RandomRate: 1}, func(o *Offer) {}, RuleRandom},
		{"first rule wins", Rules{LowConfidence: 0.6, Drift: true}, func(o *Offer) { o.Confidence = 0.1; o.Drifting = true }, RuleLowConfidence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Policy{Cameras: []Camera{{ID: "door", Rules: tt.rules}}}, Static{})
			o := offer(1, 0.9)
			tt.edit(o)
			s, err := c.Offer(o)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if s != nil {
				got = s.Provenance.Rule
			}
			if got != tt.want {
				t.Errorf("Offer rule = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestOffByDefault(t *testing.T) {
	c := New(Policy{}, Static{})
	o := offer(1, 0)
	o.Drifting, o.Shadow = true, "star"
	if s, err := c.Offer(o); s != nil || err != nil {
		t.Errorf("Offer with no camera opted in = %v, %v; want nil", s, err)
	}
	if c.Enabled("door") {
		t.Error("Enabled(door) with an empty policy")
	}
	c = New(Policy{Cameras: []Camera{{ID: "yard", Rules: Rules{RandomRate: 1}}}}, Static{})
	if s, _ := c.Offer(o); s != nil {
		t.Error("a camera that did not opt in was captured")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = c.Offer(o) }); n != 0 {
		t.Errorf("a declined Offer allocates %v times; want 0", n)
	}
}

func TestCaps(t *testing.T) {
	t.Run("per hour", func(t *testing.T) {
		c := New(Policy{Cameras: []Camera{{ID: "door", Rules: Rules{RandomRate: 1}}}, MaxPerHour: 3}, Static{})
		got := 0
		for seq := uint64(1); seq <= 10; seq++ { // 10 offers within 10 s
			if s, _ := c.Offer(offer(seq, 1)); s != nil {
				got++
			}
		}
		if got != 3 || c.Stats().Skipped["max_per_hour"] != 7 {
			t.Errorf("captured %d, skipped %v; want 3 and 7", got, c.Stats().Skipped)
		}
		late := offer(3601+1, 1) // one hour after the first capture
		if s, _ := c.Offer(late); s == nil {
			t.Error("no capture an hour later")
		}
	})
	t.Run("samples and ttl", func(t *testing.T) {
		c := New(Policy{Cameras: []Camera{{ID: "door", Rules: Rules{RandomRate: 1}}}, MaxSamples: 2, TTL: Duration(time.Minute)}, Static{})
		for seq := uint64(1); seq <= 3; seq++ {
			s, _ := c.Offer(offer(seq, 1))
			if (s != nil) != (seq <= 2) {
				t.Errorf("seq %d captured = %v", seq, s != nil)
			}
		}
		if ids := c.Expire(t0.Add(60 * time.Second)); len(ids) != 0 {
			t.Errorf("Expire before the TTL = %v", ids)
		}
		if ids := c.Expire(t0.Add(61 * time.Second)); len(ids) != 1 || ids[0] != "door/1" {
			t.Errorf("Expire = %v; want [door/1]", ids)
		}
		if s, _ := c.Offer(offer(70, 1)); s == nil {
			t.Error("no capture after a sample expired")
		}
		c.Forget("door/2")
		if st := c.Stats(); st.Retained != 1 || st.Expired != 1 || st.Captured != 3 {
			t.Errorf("Stats = %+v", st)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		c := New(Policy{Cameras: []Camera{{ID: "door", Rules: Rules{RandomRate: 1}}}, MaxBytes: 100}, Static{})
		if s, _ := c.Offer(offer(1, 1)); s != nil {
			t.Errorf("captured %d PNG bytes under a 100-byte cap", len(s.PNG))
		}
		if c.Stats().Skipped["max_bytes"] != 1 {
			t.Errorf("Stats = %+v", c.Stats())
		}
	})
}

func TestRandomRate(t *testing.T) {
	c := New(Policy{Cameras: []Camera{{ID: "door", Rules: Rules{RandomRate: 0.1}}}, MaxPerHour: MaxPerHourLimit, MaxSamples: MaxSamplesLimit, MaxBytes: 1 << 40}, Static{})
	o := offer(1, 1)
	o.Image = frame(4, 4)
	n := 0
	for i := range 10000 {
		o.Seq, o.Time = uint64(i), t0.Add(time.Duration(i)*time.Second)
		if s, _ := c.Offer(o); s != nil {
			n++
		}
	}
	// Binomial(10000, 0.1): mean 1000, SD 30.
	if n < 880 || n > 1120 {
		t.Errorf("random_rate 0.1 captured %d of 10000; want about 1000", n)
	}
}

func TestMaskAndDownscale(t *testing.T) {
	pol := Policy{Cameras: []Camera{{ID: "door", Rules: Rules{RandomRate: 1},
		Masks: []Rect{{X: 5, Y: 4, W: 10, H: 6}, {X: 35, Y: 25, W: 100, H: 100}}}}}
	c := New(pol, Static{Device: "pi", ConfigHash: "cfg", AgentVersion: "1.2"})
	s, err := c.Offer(offer(7, 0.8))
	if err != nil || s == nil {
		t.Fatalf("Offer = %v, %v", s, err)
	}
	img, err := png.Decode(bytes.NewReader(s.PNG))
	if err != nil {
		t.Fatal(err)
	}
	masked := func(x, y int) bool {
		return (x >= 5 && x < 15 && y >= 4 && y < 10) || (x >= 35 && y >= 25)
	}
	for y := range 30 {
		for x := range 40 {
			r, g, b, _ := img.At(x, y).RGBA()
			want := [3]uint32{uint32(x), uint32(y), 200}
			if masked(x, y) {
				want = [3]uint32{}
			}
			if got := [3]uint32{r >> 8, g >> 8, b >> 8}; got != want {
				t.Fatalf("pixel (%d,%d) = %v; want %v", x, y, got, want)
			}
		}
	}
	want := Provenance{Device: "pi", Camera: "door", Seq: 7, Time: t0.Add(7 * time.Second),
		Model: Model{Name: "shapes", Version: "v1", SHA256: "abc"}, ConfigHash: "cfg", AgentVersion: "1.2",
		Rule: RuleRandom, Label: "circle", Confidence: 0.8, Masks: 2, Width: 40, Height: 30}
	if s.Provenance != want || s.ID != "door/7" {
		t.Errorf("sample %q provenance = %+v; want %+v", s.ID, s.Provenance, want)
	}

	pol.MaxSide = 20
	c = New(pol, Static{})
	s, err = c.Offer(offer(8, 0.8))
	if err != nil {
		t.Fatal(err)
	}
	img, _ = png.Decode(bytes.NewReader(s.PNG))
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 15 || !s.Provenance.Downscaled {
		t.Fatalf("downscaled to %v (downscaled=%v); want 20×15", b, s.Provenance.Downscaled)
	}
	// The first mask covers source (5..15, 4..10): its centre at half
	// size, (5, 3.5), must stay black after the bilinear downscale.
	if r, g, b, _ := img.At(5, 3).RGBA(); r>>8 > 40 || g>>8 > 40 || b>>8 > 40 {
		t.Errorf("masked area after downscale = %d %d %d; want dark", r>>8, g>>8, b>>8)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		want bool
	}{
		{"empty is valid (off)", Policy{}, true},
		{"opt in", Policy{Cameras: []Camera{{ID: "a", Rules: Rules{Drift: true}}}}, true},
		{"no rule", Policy{Cameras: []Camera{{ID: "a"}}}, false},
		{"bad rate", Policy{Cameras: []Camera{{ID: "a", Rules: Rules{RandomRate: 2}}}}, false},
		{"bad mask", Policy{Cameras: []Camera{{ID: "a", Rules: Rules{Drift: true}, Masks: []Rect{{W: 0, H: 3}}}}}, false},
		{"tiny side", Policy{MaxSide: 3}, false},
	}
	for _, tt := range tests {
		if err := tt.p.Defaults().Validate(); (err == nil) != tt.want {
			t.Errorf("%s: Validate = %v; want ok=%v", tt.name, err, tt.want)
		}
	}
}
