package evaldata

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Limits on a ground-truth file.
const (
	MaxTruthBytes = 64 << 20
	MaxTruthRows  = 1 << 20
	maxColumns    = 256
)

// TruthFileName is the ground-truth file a data-set folder may hold.
const TruthFileName = "ground_truth.tsv"

// Table is a parsed ground-truth file: a header row naming the columns,
// then one row per image with exactly as many fields.
type Table struct {
	Header []string
	Rows   [][]string
}

// Column returns the index of the named column, or −1.
func (t *Table) Column(name string) int {
	for i, h := range t.Header {
		if h == name {
			return i
		}
	}
	return -1
}

// ParseTable parses a ground-truth TSV: UTF-8, tab-separated, the first
// non-empty line the header. The header must name a "file" column and no
// column twice; every row must have as many fields as the header; file
// names must be relative slash paths inside the folder (no "..", not
// absolute) and unique. Empty lines and trailing "\r" are ignored. Every
// error wraps ErrTruthFile and names the line.
func ParseTable(data []byte) (Table, error) {
	if len(data) > MaxTruthBytes {
		return Table{}, fmt.Errorf("evaldata.ParseTable: %w: %d bytes, more than %d", ErrTruthFile, len(data), MaxTruthBytes)
	}
	if !utf8.Valid(data) {
		return Table{}, fmt.Errorf("evaldata.ParseTable: %w: not UTF-8 text", ErrTruthFile)
	}
	var t Table
	seen := map[string]int{}
	fileCol := -1
	for n, line := range bytes.Split(data, []byte("\n")) {
		lineNo := n + 1
		s := strings.TrimSuffix(string(line), "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		fields := strings.Split(s, "\t")
		bad := func(format string, args ...any) (Table, error) {
			return Table{}, fmt.Errorf("evaldata.ParseTable: %w: line %d: %s", ErrTruthFile, lineNo, fmt.Sprintf(format, args...))
		}
		if t.Header == nil {
			if len(fields) > maxColumns {
				return bad("%d columns, more than %d", len(fields), maxColumns)
			}
			for i, h := range fields {
				h = strings.TrimSpace(h)
				if h == "" {
					return bad("column %d has no name", i+1)
				}
				for _, p := range t.Header {
					if p == h {
						return bad("column %q named twice", h)
					}
				}
				t.Header = append(t.Header, h)
			}
			if fileCol = t.Column("file"); fileCol < 0 {
				return bad("header %q has no \"file\" column (want e.g. file<TAB>label)", s)
			}
			continue
		}
		if len(fields) != len(t.Header) {
			return bad("%d fields; the header has %d columns", len(fields), len(t.Header))
		}
		if len(t.Rows) >= MaxTruthRows {
			return bad("more than %d rows", MaxTruthRows)
		}
		name := fields[fileCol]
		if err := checkRelPath(name); err != nil {
			return bad("file %q: %v", name, err)
		}
		if prev, dup := seen[name]; dup {
			return bad("file %q already listed on line %d", name, prev)
		}
		seen[name] = lineNo
		t.Rows = append(t.Rows, fields)
	}
	if t.Header == nil {
		return Table{}, fmt.Errorf("evaldata.ParseTable: %w: empty file (want a header line such as file<TAB>label)", ErrTruthFile)
	}
	return t, nil
}

// checkRelPath accepts a relative slash path that stays inside its folder.
func checkRelPath(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty file name")
	case strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || strings.ContainsRune(name, 0):
		return fmt.Errorf("want a relative path with forward slashes")
	case path.Clean(name) != name || name == "." || name == ".." || strings.HasPrefix(name, "../"):
		return fmt.Errorf("want a clean path inside the folder")
	}
	return nil
}
