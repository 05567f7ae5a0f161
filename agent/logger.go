package agent

import (
	"io"
	"log/slog"

	"github.com/fovea-edge/fovea/agent/config"
)

// NewLogger returns the logger that log configures, writing to w. The
// configuration is assumed valid (config.Validate).
func NewLogger(log config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	switch log.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
