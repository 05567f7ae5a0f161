package evaldata

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/fovea-edge/fovea/internal/base/imaging/imgio"
)

// fileSet reads a list of image files relative to a folder.
type fileSet struct {
	name, dir string
	entries   []Entry
	next      int
	notes     []string
}

func (s *fileSet) Name() string    { return s.name }
func (s *fileSet) Len() int        { return len(s.entries) }
func (s *fileSet) Notes() []string { return s.notes }
func (s *fileSet) Close() error    { return nil }

// Next decodes the next file as fovea classify does.
func (s *fileSet) Next(ctx context.Context) (Item, error) {
	if err := ctx.Err(); err != nil {
		return Item{}, err
	}
	if s.next >= len(s.entries) {
		return Item{}, io.EOF
	}
	e := s.entries[s.next]
	s.next++
	it := Item{ID: e.File, Truth: e.Truth, Tags: e.Tags}
	it.Image, it.Err = imgio.DecodeFile(filepath.Join(s.dir, filepath.FromSlash(e.File)))
	return it, nil
}

// openClassFolders lists dir/CLASS/IMAGE files, classes and files sorted.
func openClassFolders(dir string, limit int) (*fileSet, error) {
	classes, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w", err)
	}
	s := &fileSet{name: dir, dir: dir, notes: []string{dir + ": true class = subfolder name"}}
	for _, c := range classes {
		if !c.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, c.Name()))
		if err != nil {
			return nil, fmt.Errorf("evaldata.Open: %w", err)
		}
		var names []string
		for _, f := range files {
			if !f.IsDir() && isImageName(f.Name()) {
				names = append(names, f.Name())
			}
		}
		slices.Sort(names)
		for _, n := range names {
			s.entries = append(s.entries, Entry{File: path.Join(c.Name(), n), Truth: Truth{Label: c.Name()}})
		}
	}
	if len(s.entries) == 0 {
		return nil, fmt.Errorf("evaldata.Open: %w: %s has no %s and no subfolders with images (.jpg, .jpeg, .png, .bmp); want one subfolder per class named by its label", ErrDataSet, dir, TruthFileName)
	}
	if limit > 0 && len(s.entries) > limit {
		s.entries = s.entries[:limit]
	}
	return s, nil
}

// openTable reads dir/ground_truth.tsv.
func openTable(dir, tsv string, limit int) (*fileSet, error) {
	fi, err := os.Stat(tsv)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w", err)
	}
	if fi.Size() > MaxTruthBytes {
		return nil, fmt.Errorf("evaldata.Open %s: %w: %d bytes, more than %d", tsv, ErrTruthFile, fi.Size(), MaxTruthBytes)
	}
	data, err := os.ReadFile(tsv)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w", err)
	}
	t, err := ParseTable(data)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open %s: %w", tsv, err)
	}
	entries, notes, err := t.Entries()
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open %s: %w", tsv, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("evaldata.Open %s: %w: no rows under the header", tsv, ErrTruthFile)
	}
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	for i := range notes {
		notes[i] = tsv + ": " + notes[i]
	}
	return &fileSet{name: dir, dir: dir, entries: entries, notes: notes}, nil
}
