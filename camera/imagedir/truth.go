package imagedir

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// TruthFile is the name of the optional ground-truth table in a dir:
// folder. When present, every frame whose file it lists carries that
// label in Frame.Truth, so the agent measures accuracy as it does for
// synthetic: sources.
const TruthFile = "ground_truth.tsv"

// maxTruthBytes bounds the ground-truth table; a larger file is a mistake.
const maxTruthBytes = 64 << 20

// ParseTruth reads a ground-truth table: tab-separated, one image per
// line. With a header line whose first column is "file", the label is the
// column named "label" (the layout of ImageNet sample sets: file, synset,
// index_1000, index_1001, label); without a header each line is
// "file<TAB>label". Blank lines and lines starting with '#' are ignored.
// Every problem is reported at once, with its line.
func ParseTruth(data []byte) (map[string]string, error) {
	truth := map[string]string{}
	labelCol := 1
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(truth) == 0 && len(errs) == 0 && labelCol == 1 && cols[0] == "file" {
			labelCol = slices.Index(cols, "label")
			if labelCol < 1 {
				return nil, fmt.Errorf("line %d: the header names no \"label\" column (want file<TAB>…<TAB>label)", n)
			}
			continue
		}
		if len(cols) <= labelCol {
			errs = append(errs, fmt.Errorf("line %d: %d column(s); want at least %d (file<TAB>label)", n, len(cols), labelCol+1))
			continue
		}
		file, label := cols[0], strings.TrimSpace(cols[labelCol])
		switch {
		case file == "" || strings.ContainsAny(file, `/\`):
			errs = append(errs, fmt.Errorf("line %d: file %q must be a plain file name in the folder", n, file))
		case label == "":
			errs = append(errs, fmt.Errorf("line %d: empty label for %s", n, file))
		default:
			if _, dup := truth[file]; dup {
				errs = append(errs, fmt.Errorf("line %d: %s is listed twice", n, file))
			}
			truth[file] = label
		}
		if len(errs) >= 10 {
			errs = append(errs, errors.New("… (stopped after 10 problems)"))
			break
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return truth, nil
}

// loadTruth reads dir's ground-truth table; no table is not an error
// (nil map).
func loadTruth(dir string) (map[string]string, error) {
	path := filepath.Join(dir, TruthFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTruthBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxTruthBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes; is this a ground-truth table?", path, maxTruthBytes)
	}
	truth, err := ParseTruth(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return truth, nil
}
