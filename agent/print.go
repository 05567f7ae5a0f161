package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Column widths of PrintResults, in characters; longer values are cut
// with "…" so that the columns stay aligned.
const (
	colCamera = 10
	colFrame  = 28
	colLabel  = 24
)

// PrintResults returns an Options.OnResult that writes one line per result
// to w, under a header line: camera, frame, top-1 label and score,
// latency, and, when the frame has a truth label, the truth, ✓ or ✗ and
// the camera's running accuracy. Columns have fixed widths. It serialises
// writers from several workers.
func PrintResults(w io.Writer) func(Result) {
	var (
		mu     sync.Mutex
		header bool // guarded by mu
	)
	return func(r Result) {
		line := resultLine(r)
		mu.Lock()
		defer mu.Unlock()
		if !header {
			header = true
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%s %s %s %5s  %8s  %s", fit("CAMERA", colCamera), fit("FRAME", colFrame), fit("TOP-1", colLabel), "SCORE", "LATENCY", "TRUTH"), " "))
		}
		fmt.Fprintln(w, line)
	}
}

// resultLine formats one result for PrintResults.
func resultLine(r Result) string {
	rec := r.Record
	top, score := "-", float32(0)
	if len(rec.Top) > 0 {
		top, score = rec.Top[0].Label, rec.Top[0].Score
	}
	frame := rec.Frame
	if frame == "" {
		frame = fmt.Sprintf("#%d", rec.Seq)
	}
	ms := float64(rec.LatencyUS.Preprocess+rec.LatencyUS.Invoke) / 1000
	line := fmt.Sprintf("%s %s %s %.3f  %6.1fms", fit(rec.Camera, colCamera), fitTail(frame, colFrame), fit(top, colLabel), score, ms)
	if rec.Truth != "" {
		mark := "✗"
		if sameLabel(top, rec.Truth) {
			mark = "✓"
		}
		line += fmt.Sprintf("  %s %s  accuracy %5.1f%% (%d/%d)", fit(rec.Truth, colLabel), mark, 100*float64(r.Correct)/float64(r.Known), r.Correct, r.Known)
	}
	return line
}

// fit pads s to exactly n characters, or cuts it to n-1 and adds "…".
func fit(s string, n int) string {
	if c := utf8.RuneCountInString(s); c <= n {
		return s + strings.Repeat(" ", n-c)
	}
	return string([]rune(s)[:n-1]) + "…"
}

// fitTail is fit keeping the end of s (file names differ at their end).
func fitTail(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return fit(s, n)
	}
	return "…" + string(r[len(r)-n+1:])
}

// PrintJSON returns an Options.OnResult that writes each result as one
// JSON line: the record's fields plus "outbox_seq", the sequence under
// which it is durable in the outbox.
func PrintJSON(w io.Writer) func(Result) {
	var mu sync.Mutex
	return func(r Result) {
		b, err := json.Marshal(resultView{Record: r.Record, OutboxSeq: r.OutboxSeq})
		if err != nil {
			return // records were encoded once already; this cannot fail
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s\n", b)
	}
}

// Summary counts what one run did, for the line fovea run prints at its
// end.
type Summary struct {
	Results        uint64 // durable results
	Correct, Known uint64 // results whose top-1 was the truth; results with a truth
	Dropped        uint64 // frames dropped by full queues or the fps cap
	Skipped        uint64 // frames the sources could not read
	Errors         uint64 // frames that yielded no result, failed appends, camera errors
	Duration       time.Duration
}

// Summary returns the counts of the run so far; d is the time it took.
func (a *Agent) Summary(d time.Duration) Summary {
	st := a.Status()
	s := Summary{Results: st.Results, Duration: d, Errors: a.inferErrs.Load() + a.appendErrs.Load()}
	for _, c := range st.Cameras {
		s.Dropped += c.Dropped
		s.Skipped += c.Skipped
		s.Errors += c.Errors
	}
	if st.Accuracy != nil {
		s.Correct, s.Known = st.Accuracy.Correct, st.Accuracy.Known
	}
	return s
}

// String is the summary line: "summary: 300 results in 12.3s (24.4/s),
// accuracy 81.3% (244/300), 0 dropped, 0 skipped, 0 errors". Accuracy
// appears only when some frames had a truth label.
func (s Summary) String() string {
	rate := 0.0
	if s.Duration > 0 {
		rate = float64(s.Results) / s.Duration.Seconds()
	}
	acc := ""
	if s.Known > 0 {
		acc = fmt.Sprintf(", accuracy %.1f%% (%d/%d)", 100*float64(s.Correct)/float64(s.Known), s.Correct, s.Known)
	}
	return fmt.Sprintf("summary: %d results in %s (%.1f/s)%s, %d dropped, %d skipped, %d errors",
		s.Results, s.Duration.Round(100*time.Millisecond), rate, acc, s.Dropped, s.Skipped, s.Errors)
}
