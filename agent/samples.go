package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
	"github.com/fovea-edge/fovea/monitor/capture"
)

// Captured samples live in <data_dir>/samples/<camera>/<seq>.png with
// their provenance in <seq>.json, written atomically (PNG first, so a
// provenance file always has its picture). They never leave the device
// by themselves.

func samplePaths(dir, id string) (png, meta string, err error) {
	camera, seq, ok := strings.Cut(id, "/")
	if !ok || camera == "" || camera == "." || camera == ".." || strings.ContainsAny(camera, `/\`) {
		return "", "", fmt.Errorf("sample id %q: want <camera>/<seq>", id)
	}
	if _, err := strconv.ParseUint(seq, 10, 64); err != nil {
		return "", "", fmt.Errorf("sample id %q: want <camera>/<seq>", id)
	}
	base := filepath.Join(dir, camera, seq)
	return base + ".png", base + ".json", nil
}

func writeSample(dir string, s *capture.Sample) error {
	png, meta, err := samplePaths(dir, s.ID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(png), 0o750); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(png, s.PNG, 0o600); err != nil {
		return err
	}
	return atomicfile.WriteFile(meta, b, 0o600)
}

func removeSample(dir, id string) error {
	png, meta, err := samplePaths(dir, id)
	if err != nil {
		return err
	}
	return errors.Join(ignoreMissing(os.Remove(meta)), ignoreMissing(os.Remove(png)))
}

func ignoreMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// restoreSamples counts the samples an earlier run kept against the
// capturer's caps and TTL; it returns how many it found.
func restoreSamples(dir string, c *capture.Capturer) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".json" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var s capture.Sample
		if err := json.Unmarshal(b, &s); err != nil || s.ID == "" {
			return nil // not ours
		}
		st, err := os.Stat(strings.TrimSuffix(path, ".json") + ".png")
		if err != nil {
			return nil
		}
		c.Restore(s.ID, s.Provenance.Time, st.Size())
		n++
		return nil
	})
	return n, err
}
