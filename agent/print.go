package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// PrintResults returns an Options.OnResult that writes one line per result
// to w: camera, frame, top-1 label and score, and, when the frame has a
// truth label, the truth and the camera's running accuracy. It serialises
// writers from several workers.
func PrintResults(w io.Writer) func(Result) {
	var mu sync.Mutex
	return func(r Result) {
		rec := r.Record
		top, score := "-", float32(0)
		if len(rec.Top) > 0 {
			top, score = rec.Top[0].Label, rec.Top[0].Score
		}
		frame := rec.Frame
		if frame == "" {
			frame = fmt.Sprintf("#%d", rec.Seq)
		}
		line := fmt.Sprintf("%-8s %-28s %-24s %.3f  %6.1fms", rec.Camera, frame, top, score, float64(rec.LatencyUS.Preprocess+rec.LatencyUS.Invoke)/1000)
		if rec.Truth != "" {
			mark := "✗"
			if sameLabel(top, rec.Truth) {
				mark = "✓"
			}
			line += fmt.Sprintf("  truth=%-10s %s  accuracy %.1f%% (%d/%d)", rec.Truth, mark, 100*float64(r.Correct)/float64(r.Known), r.Correct, r.Known)
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(w, line)
	}
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
