package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestNextSchedule(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		min, max time.Duration
		want     []time.Duration
	}{
		{"doubles then caps", 100 * ms, 1000 * ms, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}},
		{"min equals max", 50 * ms, 50 * ms, []time.Duration{50 * ms, 50 * ms, 50 * ms}},
		{"max below min is min", 50 * ms, 10 * ms, []time.Duration{50 * ms, 50 * ms}},
		{"zero min is 1ms", 0, 4 * ms, []time.Duration{1 * ms, 2 * ms, 4 * ms, 4 * ms}},
		{"huge max does not overflow", time.Hour, 1 << 62, []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(tt.min, tt.max, 0)
			for i, want := range tt.want {
				if got := b.Next(); got != want {
					t.Fatalf("Next() #%d = %v; want %v", i, got, want)
				}
			}
			b.Reset()
			if got := b.Next(); got != tt.want[0] {
				t.Errorf("Next() after Reset = %v; want %v", got, tt.want[0])
			}
		})
	}
}

func TestJitterBounds(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
		r      float64
		want   time.Duration
	}{
		{"lowest", 0.5, 0, 50 * time.Millisecond},
		{"middle", 0.5, 0.5, 100 * time.Millisecond},
		{"near highest", 0.5, 0.999999, 149999900 * time.Nanosecond},
		{"clamped above 1", 7, 0, 0},
		{"negative is none", -1, 0, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(100*time.Millisecond, time.Second, tt.jitter)
			b.rand = func() float64 { return tt.r }
			got := b.Next()
			if d := got - tt.want; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("Next() with jitter %v, rand %v = %v; want %v", tt.jitter, tt.r, got, tt.want)
			}
		})
	}
}

func TestJitterNeverExceedsMax(t *testing.T) {
	b := New(time.Second, 2*time.Second, 1)
	for i := range 1000 {
		if d := b.Next(); d < 0 || d > 2*time.Second {
			t.Fatalf("Next() #%d = %v; want within [0, 2s]", i, d)
		}
	}
}

func TestWaitSleepsTheDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(time.Second, 8*time.Second, 0)
		start := time.Now()
		for _, want := range []time.Duration{1, 3, 7, 15, 23} {
			if err := b.Wait(context.Background()); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if got := time.Since(start); got != want*time.Second {
				t.Fatalf("elapsed after Wait = %v; want %v", got, want*time.Second)
			}
		}
	})
}

func TestWaitReturnsWhenContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(time.Hour, time.Hour, 0)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := b.Wait(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v; want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("Wait returned after %v; want 1s (the context deadline)", got)
		}
	})
}
