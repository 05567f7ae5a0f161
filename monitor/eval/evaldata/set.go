package evaldata

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/fovea-edge/fovea/monitor/eval"
)

// Item is one labelled image of a data set.
type Item struct {
	// ID names the image within its set: the file's path relative to the
	// folder, or "#SEQ" for a synthetic frame.
	ID    string
	Image image.Image
	Truth Truth
	Tags  []eval.Tag
	// Err says why the image could not be read; Image is then nil and
	// the item is reported as failed.
	Err error
}

// Set is a labelled data set read in order. A Set belongs to one
// goroutine.
type Set interface {
	// Name is how reports name the set (the folder or URI given).
	Name() string
	// Len is the number of items Next will return.
	Len() int
	// Next returns the next item, or io.EOF after the last.
	Next(ctx context.Context) (Item, error)
	// Notes say how the set was read (truth source, skipped columns).
	Notes() []string
	Close() error
}

// Open opens the data set named by spec: a "synthetic:" URI (see
// camera/synthetic; count= frames, else limit, else
// DefaultSyntheticFrames), a folder holding ground_truth.tsv, or a folder
// with one subfolder of images per class. limit > 0 caps the items read.
func Open(spec string, limit int) (Set, error) {
	if rest, ok := strings.CutPrefix(spec, "synthetic:"); ok {
		return openSynthetic(spec, rest, limit)
	}
	fi, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w: %w (want a folder of class subfolders, a folder with %s, or a synthetic: URI)", ErrDataSet, err, TruthFileName)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("evaldata.Open: %w: %s is not a folder (want a folder of class subfolders, a folder with %s, or a synthetic: URI)", ErrDataSet, spec, TruthFileName)
	}
	tsv := filepath.Join(spec, TruthFileName)
	if _, err := os.Stat(tsv); err == nil {
		return openTable(spec, tsv, limit)
	}
	return openClassFolders(spec, limit)
}

// isImageName reports whether a file name has an image extension imgio
// reads.
func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".bmp":
		return true
	}
	return false
}
