package progress

import (
	"strings"
	"testing"
	"time"
)

// clock is a manual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBarTerminal(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	var sb strings.Builder
	b := New(&sb, "eval", 10, true, c.now)
	c.t = c.t.Add(time.Second)
	b.Set(5) // drawn
	b.Set(6) // within Interval: skipped
	c.t = c.t.Add(time.Second)
	b.Set(10) // the last one is always drawn
	b.Done()
	lines := strings.Split(sb.String(), "\r")
	if len(lines) != 3 || lines[0] != "" {
		t.Fatalf("output %q; want two redraws", sb.String())
	}
	want1 := "eval [===============>              ] 5/10  50%  5.0/s  ETA 0:01"
	want2 := "eval [==============================] 10/10 100%  5.0/s  ETA 0:00\n"
	if lines[1] != want1 || lines[2] != want2 {
		t.Errorf("redraws %q, %q; want %q, %q", lines[1], lines[2], want1, want2)
	}
}

func TestBarLog(t *testing.T) {
	c := &clock{t: time.Unix(0, 0)}
	var sb strings.Builder
	b := New(&sb, "eval", 100, false, c.now)
	for i := 1; i <= 100; i++ {
		c.t = c.t.Add(10 * time.Millisecond)
		b.Set(i)
	}
	b.Done()
	lines := strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n")
	if len(lines) != 10 || !strings.HasPrefix(lines[9], "eval [==============================] 100/100 100%") {
		t.Errorf("log output %q; want 10 lines, the last at 100%%", sb.String())
	}
}
