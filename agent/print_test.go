package agent

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fovea-edge/fovea/agent/record"
)

// TestPrintResultsAligned: whatever the lengths of camera ids, frame
// names and labels, every column starts at the same character on every
// line, and long values are cut with "…".
func TestPrintResultsAligned(t *testing.T) {
	recs := []Result{
		{Record: record.Record{Camera: "a", Frame: "x.jpg", Top: []record.Class{{Label: "cat", Score: 0.5}}, Truth: "cat"}, Correct: 1, Known: 1},
		{Record: record.Record{Camera: "front-door-camera-long", Frame: "n01534433_a_very_long_file_name_indeed.JPEG",
			Top: []record.Class{{Label: "tiger shark, Galeocerdo cuvieri, a long label", Score: 0.25}}, Truth: "junco, snowbird, Junco hyemalis"}, Correct: 1, Known: 2},
		{Record: record.Record{Camera: "kämera", Seq: 7, Top: []record.Class{{Label: "étoile", Score: 1}}, LatencyUS: record.Latency{Preprocess: 1500, Invoke: 123456}}},
	}
	var b bytes.Buffer
	p := PrintResults(&b)
	for _, r := range recs {
		p(r)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(recs)+1 || !strings.HasPrefix(lines[0], "CAMERA") {
		t.Fatalf("PrintResults wrote %q; want a header and %d lines", lines, len(recs))
	}
	// The score column: the characters before it have the same count on
	// every line.
	scoreAt := colCamera + 1 + colFrame + 1 + colLabel + 1
	for i, l := range lines[1:] {
		r := []rune(l)
		if len(r) < scoreAt+5 || !strings.Contains("01", string(r[scoreAt])) || r[scoreAt+1] != '.' {
			t.Errorf("line %d %q: score not at character %d", i+1, l, scoreAt)
		}
	}
	for _, want := range []string{"front-doo…", "…_long_file_name_indeed.JPEG", "tiger shark, Galeocerdo…", "junco, snowbird, Junco …", "#7", "125.0ms"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("PrintResults output lacks %q:\n%s", want, b.String())
		}
	}
	// The truth column lines up too.
	truthAt := -1
	for _, l := range lines[1:3] {
		at := utf8.RuneCountInString(l[:strings.Index(l, "ms  ")]) + 4
		if truthAt >= 0 && at != truthAt {
			t.Errorf("truth column at %d and %d", truthAt, at)
		}
		truthAt = at
	}
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		s    Summary
		want string
	}{
		{Summary{Results: 300, Correct: 244, Known: 300, Dropped: 2, Skipped: 1, Errors: 0, Duration: 12300 * time.Millisecond},
			"summary: 300 results in 12.3s (24.4/s), accuracy 81.3% (244/300), 2 dropped, 1 skipped, 0 errors"},
		{Summary{Results: 5, Duration: 2 * time.Second, Errors: 3},
			"summary: 5 results in 2s (2.5/s), 0 dropped, 0 skipped, 3 errors"},
		{Summary{}, "summary: 0 results in 0s (0.0/s), 0 dropped, 0 skipped, 0 errors"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("Summary%+v.String() = %q; want %q", tt.s, got, tt.want)
		}
	}
}
