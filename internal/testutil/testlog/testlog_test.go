package testlog

import (
	"log/slog"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what is logged to it.
type recorder struct {
	testing.TB
	lines    []string
	cleanups []func()
}

func (r *recorder) Log(args ...any)  { r.lines = append(r.lines, args[0].(string)) }
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func TestNew(t *testing.T) {
	r := &recorder{TB: t}
	log := New(r, slog.LevelInfo)
	log.Debug("below the level")
	log.Info("kept", "k", 1)
	if len(r.lines) != 1 || !strings.Contains(r.lines[0], "msg=kept k=1") || strings.HasSuffix(r.lines[0], "\n") {
		t.Fatalf("logged %q; want one line with msg=kept k=1 and no trailing newline", r.lines)
	}
	for _, f := range r.cleanups {
		f()
	}
	log.Info("after the test")
	if len(r.lines) != 1 {
		t.Errorf("a record after the test's cleanups reached t.Log: %q", r.lines)
	}
}
