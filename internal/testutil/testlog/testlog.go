// Package testlog gives tests a log/slog logger that writes to the test's
// own log, so that a component's lines show beside the failure they
// explain (or with -v).
package testlog

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
	"testing"
)

// New returns a logger at level that writes each record through t.Log.
// Records logged after the test and its cleanups have finished, by a
// goroutine that outlived them, are dropped: t.Log would panic.
func New(t testing.TB, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(Writer(t), &slog.HandlerOptions{Level: level}))
}

// Writer returns an io.Writer that passes each Write to t.Log without its
// trailing newline (a child process's output, a logger's lines), and
// drops those after the test and its cleanups have finished.
func Writer(t testing.TB) io.Writer {
	w := &writer{t: t}
	t.Cleanup(w.close)
	return w
}

type writer struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

func (w *writer) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
