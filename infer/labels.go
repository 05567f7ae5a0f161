package infer

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// maxLabelsBytes caps a labels file: 100k classes of 100 bytes.
const maxLabelsBytes = 10 << 20

// ReadLabels reads a labels file: one label per line, line n = class n.
// Trailing empty lines are dropped; a leading "index label" or
// "index: label" numbering is kept as part of the label, as TFLite's
// tooling does.
func ReadLabels(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("infer.ReadLabels: %w", err)
	}
	if fi.Size() > maxLabelsBytes {
		return nil, fmt.Errorf("infer.ReadLabels %s: file is %d bytes, more than the %d a labels file may have", path, fi.Size(), maxLabelsBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("infer.ReadLabels: %w", err)
	}
	labels := ParseLabels(data)
	if len(labels) == 0 {
		return nil, fmt.Errorf("infer.ReadLabels %s: no labels in file", path)
	}
	return labels, nil
}

// ParseLabels splits labels-file bytes into labels (see ReadLabels).
func ParseLabels(data []byte) []string {
	var labels []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLabelsBytes)
	for sc.Scan() {
		labels = append(labels, strings.TrimRight(sc.Text(), "\r"))
	}
	for len(labels) > 0 && strings.TrimSpace(labels[len(labels)-1]) == "" {
		labels = labels[:len(labels)-1]
	}
	return labels
}
