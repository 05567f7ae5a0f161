package sharedtest

import (
	"os"
	"strings"
	"testing"
)

// ReadTSV reads a tab-separated file of the shared folder (cases.tsv,
// checks.tsv, models.tsv): one header line, then one map per row from
// column name to value. It fails the test when the file cannot be read.
func ReadTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	header := strings.Split(lines[0], "\t")
	var rows []map[string]string
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, v := range strings.Split(l, "\t") {
			if i < len(header) {
				row[header[i]] = v
			}
		}
		rows = append(rows, row)
	}
	return rows
}
