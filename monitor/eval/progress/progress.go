// Package progress draws a one-line progress bar for long command-line
// runs such as fovea eval. On a terminal the line is redrawn in place
// (carriage return), at most every Interval; elsewhere (a log file, CI) a
// plain line is written at every tenth of the way, so logs stay short.
//
// It is a few dozen lines on purpose: the one widely used library for
// this (schollz/progressbar) brings three modules and terminal-size
// probing for a feature that needs neither.
package progress

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Interval is the shortest time between two redraws on a terminal.
const Interval = 100 * time.Millisecond

// width is the number of cells of the bar.
const width = 30

// Bar reports progress towards a known total. It is not safe for
// concurrent use.
type Bar struct {
	w      io.Writer
	label  string
	total  int
	tty    bool
	now    func() time.Time
	start  time.Time
	last   time.Time
	tenths int
}

// New returns a bar writing to w. tty says whether w is a terminal;
// now is the clock (nil = time.Now).
func New(w io.Writer, label string, total int, tty bool, now func() time.Time) *Bar {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &Bar{w: w, label: label, total: total, tty: tty, now: now, start: t}
}

// Set records that done of total are finished and redraws when due.
func (b *Bar) Set(done int) {
	t := b.now()
	if b.tty {
		if done < b.total && t.Sub(b.last) < Interval {
			return
		}
		b.last = t
		fmt.Fprintf(b.w, "\r%s", b.line(done, t))
		return
	}
	if b.total <= 0 {
		return
	}
	tenths := 10 * done / b.total
	if tenths > b.tenths {
		b.tenths = tenths
		fmt.Fprintln(b.w, b.line(done, t))
	}
}

// Done ends the bar's line on a terminal.
func (b *Bar) Done() {
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

// line renders "label [====>   ] done/total  pct  rate/s  ETA m:ss".
func (b *Bar) line(done int, t time.Time) string {
	frac := 0.0
	if b.total > 0 {
		frac = min(1, float64(done)/float64(b.total))
	}
	fill := int(frac * width)
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	el := t.Sub(b.start).Seconds()
	s := fmt.Sprintf("%s [%s] %d/%d %3.0f%%", b.label, bar, done, b.total, 100*frac)
	if el > 0 && done > 0 {
		rate := float64(done) / el
		eta := time.Duration(float64(b.total-done) / rate * float64(time.Second)).Round(time.Second)
		s += fmt.Sprintf("  %.1f/s  ETA %d:%02d", rate, int(eta.Minutes()), int(eta.Seconds())%60)
	}
	return s
}
