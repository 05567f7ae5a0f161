package evaldata

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/monitor/eval"
)

func TestParseTable(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		header  []string
		rows    int
		wantErr string // substring; "" = success
	}{
		{"imagenet style", "file\tsynset\tindex_1000\tindex_1001\tlabel\na.JPEG\tn1\t0\t1\ttench, Tinca tinca\n", []string{"file", "synset", "index_1000", "index_1001", "label"}, 1, ""},
		{"crlf and blank lines", "file\tlabel\r\n\r\na.png\tcat\r\nb/c.png\tdog\r\n\n", []string{"file", "label"}, 2, ""},
		{"header only", "file\tlabel\n", []string{"file", "label"}, 0, ""},
		{"empty", "", nil, 0, "empty file"},
		{"blank only", "\n\n  \n", nil, 0, "empty file"},
		{"no file column", "path\tlabel\nx\ty\n", nil, 0, `no "file" column`},
		{"duplicate column", "file\tlabel\tlabel\n", nil, 0, "named twice"},
		{"unnamed column", "file\t\tlabel\n", nil, 0, "column 2 has no name"},
		{"short row", "file\tlabel\na.png\n", nil, 0, "line 2: 1 fields; the header has 2"},
		{"long row", "file\tlabel\na.png\tcat\textra\n", nil, 0, "line 2: 3 fields"},
		{"absolute path", "file\tlabel\n/etc/passwd\tcat\n", nil, 0, "relative path"},
		{"escaping path", "file\tlabel\n../x.png\tcat\n", nil, 0, "inside the folder"},
		{"unclean path", "file\tlabel\na//b.png\tcat\n", nil, 0, "inside the folder"},
		{"backslash", "file\tlabel\na\\b.png\tcat\n", nil, 0, "forward slashes"},
		{"empty file name", "file\tlabel\n\tcat\n", nil, 0, "empty file name"},
		{"duplicate file", "file\tlabel\na.png\tcat\na.png\tdog\n", nil, 0, "already listed on line 2"},
		{"not utf-8", "file\tlabel\n\xff.png\tcat\n", nil, 0, "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTable([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrTruthFile) {
					t.Fatalf("ParseTable(%q) error = %v; want ErrTruthFile containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTable(%q) = %v", tt.in, err)
			}
			if !reflect.DeepEqual(got.Header, tt.header) || len(got.Rows) != tt.rows {
				t.Errorf("ParseTable(%q) = header %q, %d rows; want %q, %d", tt.in, got.Header, len(got.Rows), tt.header, tt.rows)
			}
		})
	}
}

func TestEntries(t *testing.T) {
	in := "file\tsynset\tindex_1000\tindex_1001\tlabel\tcamera\n" +
		"a.jpg\tn1\t0\t1\ttench\tleft\n" +
		"b.jpg\tn2\t3\t4\ttiger shark\tright\n"
	tab, err := ParseTable([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	entries, notes, err := tab.Entries()
	if err != nil {
		t.Fatal(err)
	}
	want := Entry{
		File:  "b.jpg",
		Truth: Truth{Label: "tiger shark", ByClasses: map[int]int{1000: 3, 1001: 4}},
		// synset has 2 distinct values (≤ MaxSliceValues): a slice too.
		Tags: []eval.Tag{{Key: "synset", Value: "n2"}, {Key: "camera", Value: "right"}},
	}
	if len(entries) != 2 || !reflect.DeepEqual(entries[1], want) || len(notes) != 0 {
		t.Errorf("Entries = %+v, notes %q; want second %+v", entries, notes, want)
	}

	// A column with more distinct values than MaxSliceValues is left out.
	var b strings.Builder
	b.WriteString("file\tid\tlabel\n")
	for i := range MaxSliceValues + 1 {
		b.WriteString(strings.Repeat("x", i+1) + ".png\t" + strings.Repeat("y", i+1) + "\tcat\n")
	}
	tab, err = ParseTable([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	entries, notes, err = tab.Entries()
	if err != nil || len(entries[0].Tags) != 0 || len(notes) != 1 || !strings.Contains(notes[0], `column "id"`) {
		t.Errorf("Entries with a unique-id column: tags %v, notes %q, err %v; want no tags and one note", entries[0].Tags, notes, err)
	}

	for _, bad := range []string{
		"file\tcamera\na.png\tleft\n",      // nothing says the class
		"file\tindex_1001\na.png\tseven\n", // not a number
		"file\tindex\na.png\t-1\n",         // negative
	} {
		tab, err := ParseTable([]byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tab.Entries(); !errors.Is(err, ErrTruthFile) {
			t.Errorf("Entries(%q) error = %v; want ErrTruthFile", bad, err)
		}
	}
}

func TestResolve(t *testing.T) {
	labels1001 := make([]string, 1001)
	labels1000 := make([]string, 1000)
	for i := range labels1001 {
		labels1001[i] = "c" + string(rune('A'+i%26))
	}
	labels1001[4], labels1000[3] = "tiger shark", "tiger shark"
	shapes := []string{"empty", "circle", "square", "triangle", "star"}
	byClasses := Truth{Label: "tiger shark, Galeocerdo cuvieri", ByClasses: map[int]int{1000: 3, 1001: 4}}
	tests := []struct {
		name   string
		truth  Truth
		labels []string
		idx    int
		label  string
		rule   string
		err    bool
	}{
		{"1001-class model", byClasses, labels1001, 4, "tiger shark", "column index_1001", false},
		{"1000-class model", byClasses, labels1000, 3, "tiger shark", "column index_1000", false},
		{"index column", Truth{Label: "x", Index: 2, HasIndex: true}, shapes, 2, "square", "column index", false},
		{"index out of range", Truth{Index: 9, HasIndex: true}, shapes, 0, "", "", true},
		{"by name", Truth{Label: "star"}, shapes, 4, "star", "label name", false},
		{"by name ignoring case", Truth{Label: " Circle "}, shapes, 1, "circle", "label name", false},
		{"unknown class", Truth{Label: "hexagon"}, shapes, -1, "hexagon", "label name", false},
		{"size without index column: by name", byClasses, shapes, -1, "tiger shark, Galeocerdo cuvieri", "label name", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, label, rule, err := tt.truth.Resolve(tt.labels)
			if tt.err {
				if err == nil {
					t.Fatalf("Resolve = %d, %q; want an error", idx, label)
				}
				return
			}
			if err != nil || idx != tt.idx || label != tt.label || rule != tt.rule {
				t.Errorf("Resolve = %d, %q, %q, %v; want %d, %q, %q", idx, label, rule, err, tt.idx, tt.label, tt.rule)
			}
		})
	}
}

// FuzzParseTable feeds arbitrary bytes to the ground-truth parser: it must
// not panic, and what it accepts must be consistent and turn into entries
// or a clean error.
func FuzzParseTable(f *testing.F) {
	f.Add([]byte("file\tsynset\tindex_1000\tindex_1001\tlabel\nn01440764_tench.JPEG\tn01440764\t0\t1\ttench, Tinca tinca\n"))
	f.Add([]byte("file\tlabel\tcamera\r\na/b.png\tcat\tleft\r\n"))
	f.Add([]byte("file\tindex\nx.png\t3\n"))
	f.Add([]byte("file\n../x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := ParseTable(data)
		if err != nil {
			if !errors.Is(err, ErrTruthFile) {
				t.Fatalf("ParseTable error %v does not wrap ErrTruthFile", err)
			}
			return
		}
		if tab.Column("file") < 0 {
			t.Fatalf("accepted a header without file: %q", tab.Header)
		}
		for _, r := range tab.Rows {
			if len(r) != len(tab.Header) {
				t.Fatalf("row %q has %d fields; header %d", r, len(r), len(tab.Header))
			}
			if err := checkRelPath(r[tab.Column("file")]); err != nil {
				t.Fatalf("accepted bad file name %q: %v", r[tab.Column("file")], err)
			}
		}
		entries, _, err := tab.Entries()
		if err != nil {
			if !errors.Is(err, ErrTruthFile) {
				t.Fatalf("Entries error %v does not wrap ErrTruthFile", err)
			}
			return
		}
		if len(entries) != len(tab.Rows) {
			t.Fatalf("%d entries for %d rows", len(entries), len(tab.Rows))
		}
		for _, e := range entries {
			idx, _, _, err := e.Truth.Resolve([]string{"a", "b", "c"})
			if err == nil && (idx < -1 || idx >= 3) {
				t.Fatalf("Resolve(%+v) = index %d of 3 classes", e.Truth, idx)
			}
			if _, by3 := e.Truth.ByClasses[3]; err != nil && !e.Truth.HasIndex && !by3 {
				t.Fatalf("Resolve(%+v) failed without an index column: %v", e.Truth, err)
			}
		}
	})
}
