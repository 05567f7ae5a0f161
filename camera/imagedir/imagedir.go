// Package imagedir is the dir: camera source: the JPEG, PNG and BMP files
// of a folder, in name order, read once or in a loop, at a set frame rate.
// It needs no camera, so it drives demos, tests and replays of recorded
// frames.
//
// URI: dir:PATH[?loop=1&fps=5]. The query overrides Options.Loop and
// Options.FPS. An unreadable or truncated image is skipped with a logged
// warning and counted in Stats.Skipped; it does not stop the source, but
// a pass over the folder in which every image was unreadable ends it with
// an error naming the first bad files. A ground_truth.tsv in the folder
// (see ParseTruth) gives each listed frame its Frame.Truth.
package imagedir

import (
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
)

func init() {
	camera.Register("dir", Open)
	camera.RegisterChecker("dir", Check)
}

// Check is the camera.Checker for dir:: the query parses, the folder
// exists and holds an image, and its ground_truth.tsv, if any, parses.
func Check(rest string) error {
	var opts camera.Options
	dir, err := parseURI(rest, &opts)
	if err != nil {
		return err
	}
	files, err := list(dir)
	if err != nil {
		return fmt.Errorf("imagedir: %w: %w", err, camera.ErrPermanent)
	}
	if len(files) == 0 {
		return noImages(dir)
	}
	if _, err := loadTruth(dir); err != nil {
		return fmt.Errorf("imagedir: %w: %w", err, camera.ErrPermanent)
	}
	return nil
}

func noImages(dir string) error {
	return fmt.Errorf("imagedir: folder %s holds no .jpg, .jpeg, .png or .bmp file: %w", dir, camera.ErrPermanent)
}

// maxBadNames is how many unreadable files an error names.
const maxBadNames = 3

// Source reads the images of one folder. Next and Close belong to one
// goroutine; Stats may be called from any.
type Source struct {
	dir  string
	loop bool
	gate *camera.Gate
	log  *slog.Logger

	truth map[string]string // file name → label; nil without ground_truth.tsv

	files    []string // names in the current pass, sorted
	i        int      // next index into files
	passGood int      // frames delivered in the current pass
	bad      []string // the first maxBadNames unreadable files of the pass, with why
	seq      uint64

	frames  atomic.Uint64
	skipped atomic.Uint64
	errors  atomic.Uint64
}

// Open opens the folder named by rest (a path, optionally followed by
// ?loop=1&fps=5) as a source. It fails, wrapping camera.ErrPermanent, when
// the folder is missing, holds no JPEG, PNG or BMP file, or the query is
// malformed.
func Open(ctx context.Context, rest string, opts camera.Options) (camera.Source, error) {
	dir, err := parseURI(rest, &opts)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	s := &Source{
		dir:  dir,
		loop: opts.Loop,
		gate: camera.NewGate(opts.FPS),
		log:  opts.Logger.With("camera", "dir:"+dir),
	}
	if s.files, err = list(dir); err != nil {
		return nil, fmt.Errorf("imagedir: %w: %w", err, camera.ErrPermanent)
	}
	if len(s.files) == 0 {
		return nil, noImages(dir)
	}
	if s.truth, err = loadTruth(dir); err != nil {
		return nil, fmt.Errorf("imagedir: %w: %w", err, camera.ErrPermanent)
	}
	// The folder is read on demand, so the fps cap paces reads (s.gate)
	// instead of dropping frames.
	opts.FPS = 0
	return camera.Apply(s, opts), nil
}

// parseURI splits "PATH?loop=1&fps=5" and applies the query to opts.
func parseURI(rest string, opts *camera.Options) (string, error) {
	dir, query, _ := strings.Cut(rest, "?")
	if dir == "" {
		return "", fmt.Errorf("imagedir: empty folder path; write dir:PATH, e.g. dir:./frames?loop=1&fps=5: %w", camera.ErrPermanent)
	}
	if query == "" {
		return dir, nil
	}
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "loop":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return "", fmt.Errorf("imagedir: loop=%q: want 1 or 0: %w", v, camera.ErrPermanent)
			}
			opts.Loop = b
		case "fps":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f != f {
				return "", fmt.Errorf("imagedir: fps=%q: want a number ≥ 0 (0 = as fast as possible): %w", v, camera.ErrPermanent)
			}
			opts.FPS = f
		default:
			return "", fmt.Errorf("imagedir: unknown query parameter %q; known: loop, fps: %w", k, camera.ErrPermanent)
		}
	}
	return dir, nil
}

// list returns the names of the image files in dir, sorted.
func list(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read image folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			if isImageName(e.Name()) {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return names, nil
}

func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".bmp":
		return true
	}
	return false
}

// Next returns the next readable image, skipping unreadable ones. At the
// end of the folder it returns io.EOF, or starts again (re-listing the
// folder) when looping.
func (s *Source) Next(ctx context.Context) (camera.Frame, error) {
	for {
		if err := ctx.Err(); err != nil {
			return camera.Frame{}, err
		}
		if s.i >= len(s.files) {
			if s.passGood == 0 && s.i > 0 {
				s.errors.Add(1)
				return camera.Frame{}, s.allUnreadable()
			}
			if !s.loop {
				return camera.Frame{}, io.EOF
			}
			if err := s.restart(); err != nil {
				s.errors.Add(1)
				return camera.Frame{}, err
			}
		}
		name := s.files[s.i]
		s.i++
		img, err := Decode(filepath.Join(s.dir, name))
		if err != nil {
			s.skipped.Add(1)
			if len(s.bad) < maxBadNames {
				s.bad = append(s.bad, fmt.Sprintf("%s (%v)", name, err))
			}
			s.log.Warn("skipping unreadable image", "file", name, "err", err)
			continue
		}
		if err := s.gate.Wait(ctx); err != nil {
			return camera.Frame{}, err
		}
		s.seq++
		s.passGood++
		s.frames.Add(1)
		return camera.Frame{Image: img, Seq: s.seq, Mono: camera.Since(), Wall: time.Now(), Name: name, Truth: s.truth[name]}, nil
	}
}

// allUnreadable is the error of a pass in which no image could be read.
func (s *Source) allUnreadable() error {
	more := ""
	if n := s.i - len(s.bad); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Errorf("imagedir: none of the %d images in %s could be read: %s%s: %w", s.i, s.dir, strings.Join(s.bad, "; "), more, camera.ErrPermanent)
}

// restart begins the next pass of a looping source.
func (s *Source) restart() error {
	files, err := list(s.dir)
	if err != nil {
		return fmt.Errorf("imagedir %s: %w", s.dir, err)
	}
	s.files, s.i, s.passGood, s.bad = files, 0, 0, nil
	if len(files) == 0 {
		return fmt.Errorf("imagedir: folder %s no longer holds an image: %w", s.dir, camera.ErrPermanent)
	}
	return nil
}

// Decode reads one image file as the dir: source does: JPEG (baseline,
// progressive, greyscale, CMYK), PNG or BMP, capped at imgio.MaxPixels,
// converted to a Frame pixel type (see camera.Normalize).
func Decode(path string) (image.Image, error) {
	img, err := imgio.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	return camera.Normalize(img), nil
}

// Close releases nothing (files are read whole); it exists for Source.
func (s *Source) Close() error { return nil }

// Stats returns the counters.
func (s *Source) Stats() camera.Stats {
	return camera.Stats{Frames: s.frames.Load(), Skipped: s.skipped.Load(), Errors: s.errors.Load()}
}
