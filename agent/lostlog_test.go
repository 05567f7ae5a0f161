package agent

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestLostLogRateLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		var l lostLog
		errFull := errors.New("no space left on device")
		steps := []struct {
			name  string
			calls int
			sleep time.Duration
			lines []string // lines logged by this step, as substrings
		}{
			{"first loss logs at once", 1, 0, []string{"lost=1 "}},
			{"a full disk: 500 losses in 10 s", 500, 20 * time.Millisecond, nil},
			{"the next after 30 s carries the count", 1, 30 * time.Second, []string{"lost=501 "}},
			{"then quiet again", 100, 0, nil},
		}
		seq := uint64(0)
		for _, st := range steps {
			before := buf.Len()
			for range st.calls {
				time.Sleep(st.sleep)
				seq++
				l.lost(log, seq, errFull)
			}
			got := strings.Split(strings.TrimSpace(buf.String()[before:]), "\n")
			if buf.Len() == before {
				got = nil
			}
			if len(got) != len(st.lines) {
				t.Fatalf("%s: logged %d lines %q; want %d", st.name, len(got), got, len(st.lines))
			}
			for i, want := range st.lines {
				if !strings.Contains(got[i], want) || !strings.Contains(got[i], "level=ERROR") {
					t.Errorf("%s: line %q; want an ERROR with %q", st.name, got[i], want)
				}
			}
		}
	})
}
