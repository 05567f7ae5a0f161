package camera

import (
	"io"
	"testing"
	"testing/synctest"
	"time"
)

func TestWatchdog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &scripted{every: time.Second, script: append(frames(2), step{errLost}, step{}, step{io.EOF})}
		w := NewWatchdog(src, 5*time.Second)
		ctx := t.Context()
		check := func(when string, state State, age time.Duration, lastErr string) {
			t.Helper()
			h := w.Health()
			if h.State != state || h.LastFrameAge != age || h.LastError != lastErr {
				t.Errorf("%s: Health = {%s, age %v, err %q}; want {%s, age %v, err %q}", when, h.State, h.LastFrameAge, h.LastError, state, age, lastErr)
			}
			if h.Fresh() != (state == StateFresh) {
				t.Errorf("%s: Fresh() = %v in state %s", when, h.Fresh(), h.State)
			}
		}
		check("at start", StateStarting, 0, "")
		time.Sleep(6 * time.Second)
		check("no frame after 6s", StateStale, 6*time.Second, "")
		w.Next(ctx) // frame at 7s
		check("after a frame", StateFresh, 0, "")
		w.Next(ctx) // frame at 8s
		time.Sleep(4 * time.Second)
		check("4s after the frame", StateFresh, 4*time.Second, "")
		w.Next(ctx) // error at 13s
		check("after an error", StateFresh, 5*time.Second, errLost.Error())
		time.Sleep(time.Second)
		check("6s after the frame", StateStale, 6*time.Second, errLost.Error())
		w.Next(ctx) // frame at 15s
		check("recovered", StateFresh, 0, "")
		w.Next(ctx) // EOF at 16s
		check("ended", StateEnded, time.Second, "EOF")
		if got := w.Health().Stats; got.Skipped != 3 {
			t.Errorf("Health().Stats = %+v; want the source's counters (3 skipped)", got)
		}
		if err := w.Close(); err != nil || !src.closed.Load() {
			t.Errorf("Close = %v; source closed %v", err, src.closed.Load())
		}
	})
}

// TestWatchdogFrozenCamera checks that a Next blocked on a frozen camera
// turns the state stale without any frame or error arriving.
func TestWatchdogFrozenCamera(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWatchdog(&scripted{every: time.Hour}, 2*time.Second)
		ctx := t.Context()
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.Next(ctx)
		}()
		time.Sleep(3 * time.Second)
		if h := w.Health(); h.State != StateStale || h.LastFrameAge != 3*time.Second {
			t.Errorf("Health while Next is blocked = %s, age %v; want stale, 3s", h.State, h.LastFrameAge)
		}
		<-done
	})
}
