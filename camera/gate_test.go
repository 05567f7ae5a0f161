package camera

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestGateAllow(t *testing.T) {
	tests := []struct {
		name    string
		fps     float64
		every   time.Duration // arrival spacing
		arrive  int
		allowed int
	}{
		{"no cap", 0, 10 * time.Millisecond, 50, 50},
		{"negative is no cap", -5, 10 * time.Millisecond, 50, 50},
		{"30fps camera capped at 10", 10, time.Second / 30, 300, 100},
		{"slower than the cap", 10, 200 * time.Millisecond, 20, 20},
		{"100fps capped at 25", 25, 10 * time.Millisecond, 400, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := NewGate(tt.fps)
				n := 0
				for range tt.arrive {
					if g.Allow() {
						n++
					}
					time.Sleep(tt.every)
				}
				// a one-frame tolerance for where the grid starts
				if n < tt.allowed-1 || n > tt.allowed+1 {
					t.Errorf("Gate(%v fps) allowed %d of %d frames every %v; want %d", tt.fps, n, tt.arrive, tt.every, tt.allowed)
				}
			})
		})
	}
}

func TestGateWaitPaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(5)
		start := time.Now()
		for i := range 6 {
			if err := g.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, want := time.Since(start), time.Duration(i)*200*time.Millisecond; got != want {
				t.Fatalf("Wait #%d returned at %v; want %v", i, got, want)
			}
		}
		// a slow consumer does not earn a burst afterwards
		time.Sleep(time.Second)
		t0 := time.Now()
		g.Wait(context.Background())
		g.Wait(context.Background())
		if got := time.Since(t0); got != 200*time.Millisecond {
			t.Errorf("after a pause, two Waits took %v; want 200ms", got)
		}
	})
}

func TestGateWaitContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(0.01) // one frame per 100s
		g.Wait(context.Background())
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := g.Wait(ctx); err != context.DeadlineExceeded {
			t.Errorf("Wait = %v; want context.DeadlineExceeded", err)
		}
		var nilGate *Gate
		if !nilGate.Allow() || nilGate.Wait(context.Background()) != nil || nilGate.Interval() != 0 {
			t.Error("nil Gate must let everything through")
		}
	})
}

func TestLimitFPS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &scripted{every: 10 * time.Millisecond}
		lim := LimitFPS(src, 20)
		ctx := context.Background()
		start := time.Now()
		for i := 1; i <= 10; i++ {
			f, err := lim.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if f.Seq != uint64(i) {
				t.Fatalf("frame %d has Seq %d; want %d (contiguous after dropping)", i, f.Seq, i)
			}
		}
		if got := time.Since(start); got != 460*time.Millisecond {
			t.Errorf("10 frames at 20 fps from a 100 fps source took %v; want 460ms", got)
		}
		st := StatsOf(lim)
		if st.Frames != 10 || st.Dropped != 36 || st.Skipped != 46 {
			t.Errorf("Stats = %+v; want 10 frames, 36 dropped, 46 skipped (from the source)", st)
		}
		if LimitFPS(src, 0) != Source(src) {
			t.Error("LimitFPS(src, 0) must return src itself")
		}
	})
}
