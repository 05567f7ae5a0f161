package config

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// idPattern is what device and camera ids may contain: they appear in
// MQTT topics and metric labels, so no '/', '+', '#' or spaces.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks the configuration without touching the network and
// reports every problem at once, each naming the key (only the MQTT
// section's TLS and password files are looked at on disk).
func (c *Config) Validate() error {
	return invalid(c.problems())
}

// invalid wraps problems in ErrInvalid; nil when there are none.
func invalid(problems []error) error {
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w:\n%w", ErrInvalid, errors.Join(problems...))
}

// problems lists what Validate reports, one error per problem, each
// starting with its key ("model.threads: …").
func (c *Config) problems() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Version != Version {
		add("version: %d is not supported; write version: %d", c.Version, Version)
	}
	if !idPattern.MatchString(c.DeviceID) {
		add("device_id: %q must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", c.DeviceID)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir: must name a writable directory for the agent's state")
	}

	if len(c.Cameras) == 0 {
		add("cameras: list at least one camera, e.g. - {id: cam0, uri: \"dir:./frames\"}")
	}
	seen := map[string]int{}
	for i, cam := range c.Cameras {
		key := fmt.Sprintf("cameras[%d]", i)
		if cam.ID != "" {
			key = fmt.Sprintf("cameras[%d] (%s)", i, cam.ID)
		}
		switch {
		case cam.ID == "":
			add("%s.id: missing; give each camera a short name", key)
		case !idPattern.MatchString(cam.ID):
			add("%s.id: %q must be 1-64 letters, digits, '.', '_' or '-'", key, cam.ID)
		default:
			if j, dup := seen[cam.ID]; dup {
				add("%s.id: %q is also the id of cameras[%d]; ids must be unique", key, cam.ID, j)
			}
			seen[cam.ID] = i
		}
		if scheme, rest, ok := strings.Cut(cam.URI, ":"); !ok || scheme == "" || rest == "" || strings.ContainsAny(scheme, "/ ") {
			add("%s.uri: %q must be scheme:location, e.g. dir:./frames, opencv:/dev/video0, mjpeg:http://host/stream, synthetic:seed=1", key, cam.URI)
		}
		if cam.FPS < 0 || cam.FPS > 1000 {
			add("%s.fps: %g must be between 0 (as fast as the source) and 1000", key, cam.FPS)
		}
		if cam.OnFull != DropOldest && cam.OnFull != Wait {
			add("%s.on_full: %q must be %s (live cameras) or %s (replays: classify every frame)", key, cam.OnFull, DropOldest, Wait)
		}
		if cam.Width < 0 || cam.Height < 0 {
			add("%s.width/height: must not be negative", key)
		}
		if r := cam.ROI; !r.Empty() && (r.X < 0 || r.Y < 0 || r.W <= 0 || r.H <= 0) {
			add("%s.roi: {x: %d, y: %d, w: %d, h: %d} needs x, y >= 0 and w, h > 0 (or leave roi out for the whole frame)", key, r.X, r.Y, r.W, r.H)
		}
	}

	if strings.TrimSpace(c.Model.Path) == "" {
		add("model.path: missing; name a .tflite classification model")
	}
	if c.Model.Threads < 1 || c.Model.Threads > 64 {
		add("model.threads: %d must be between 1 and 64", c.Model.Threads)
	}
	if c.Model.TopK < 1 || c.Model.TopK > 100 {
		add("model.top_k: %d must be between 1 and 100", c.Model.TopK)
	}
	if c.Model.Resize != "pillow" && c.Model.Resize != "opencv" {
		add("model.resize: %q must be pillow or opencv", c.Model.Resize)
	}

	if c.Pipeline.QueueSize < 1 || c.Pipeline.QueueSize > 1024 {
		add("pipeline.queue_size: %d must be between 1 and 1024", c.Pipeline.QueueSize)
	}
	if c.Pipeline.Workers < 1 || c.Pipeline.Workers > 64 {
		add("pipeline.workers: %d must be between 1 and 64", c.Pipeline.Workers)
	}
	if c.Pipeline.StaleAfter < 0 {
		add("pipeline.stale_after: %s must be positive", c.Pipeline.StaleAfter)
	}

	if c.Outbox.MaxBytes < 0 {
		add("outbox.max_bytes: must not be negative")
	} else if c.Outbox.MaxBytes != 0 && c.Outbox.MaxBytes < 64<<10 {
		add("outbox.max_bytes: %s is too small; use at least 64KiB", c.Outbox.MaxBytes)
	}
	if c.Outbox.MaxRecords < 0 {
		add("outbox.max_records: %d must not be negative (0 = the outbox default)", c.Outbox.MaxRecords)
	}
	if c.Outbox.CommitInterval < 0 {
		add("outbox.commit_interval: %s must not be negative", c.Outbox.CommitInterval)
	}
	if c.Outbox.CommitBatch < 0 {
		add("outbox.commit_batch: %d must not be negative", c.Outbox.CommitBatch)
	}

	if c.HTTP.Enabled() {
		if err := checkListen(c.HTTP.Listen); err != nil {
			add("http.listen: %v", err)
		}
	}
	for _, p := range c.HTTP.httpProblems() {
		add("%s", p)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level: %q must be debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		add("log.format: %q must be text or json", c.Log.Format)
	}
	if c.MQTT != nil {
		if err := c.MQTT.SyncConfig().Validate(); err != nil {
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = append(errs, j.Unwrap()...)
			} else {
				errs = append(errs, err)
			}
		}
		if err := c.MQTT.validateFleetRoot(c.OTA != nil); err != nil {
			errs = append(errs, err)
		}
	}
	if c.OTA != nil {
		errs = append(errs, c.OTA.validate()...)
	}
	if c.Monitor != nil {
		if err := c.Monitor.Defaults().Validate(); err != nil {
			errs = append(errs, err)
		}
		for _, mc := range c.Monitor.Capture.Cameras {
			if !slices.ContainsFunc(c.Cameras, func(cam Camera) bool { return cam.ID == mc.ID }) {
				add("monitor.capture.cameras: %q is not a configured camera", mc.ID)
			}
		}
	}
	return errs
}

func checkListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q must be host:port such as 127.0.0.1:8080, or \"off\"", addr)
	}
	if host != "" && host != "localhost" && net.ParseIP(host) == nil {
		return fmt.Errorf("%q: host must be an IP address or localhost", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q: port must be 0-65535", addr)
	}
	return nil
}
