package outbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// DumpOptions select what Dump prints.
type DumpOptions struct {
	From  uint64 // first sequence to print; 0 and 1 both mean the oldest
	Limit int    // most records to print; 0 means all
	JSON  bool   // one JSON object per line instead of "seq<TAB>value"
}

// dumpLine is one record in Dump's JSON form: Value holds a JSON record
// as is, ValueBase64 anything else.
type dumpLine struct {
	Seq         uint64          `json:"seq"`
	Value       json.RawMessage `json:"value,omitempty"`
	ValueBase64 string          `json:"value_base64,omitempty"`
}

// Dump writes the stored records to w in sequence order, one per line.
// Values that are valid JSON are printed as they are; others as base64.
func Dump(w io.Writer, o *Outbox, opt DumpOptions) error {
	const op = "outbox.Dump"
	if opt.Limit < 0 {
		return fmt.Errorf("%s: %w: limit %d is negative", op, ErrInvalidArgument, opt.Limit)
	}
	after := uint64(0)
	if opt.From > 0 {
		after = opt.From - 1
	}
	enc := json.NewEncoder(w)
	printed := 0
	for opt.Limit == 0 || printed < opt.Limit {
		n := 512
		if opt.Limit > 0 {
			n = min(n, opt.Limit-printed)
		}
		page, err := o.Read(after, n, 4<<20)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, e := range page {
			line := dumpLine{Seq: e.Seq}
			if json.Valid(e.Value) {
				line.Value = e.Value
			} else {
				line.ValueBase64 = base64.StdEncoding.EncodeToString(e.Value)
			}
			if opt.JSON {
				err = enc.Encode(line)
			} else if line.Value != nil {
				_, err = fmt.Fprintf(w, "%d\t%s\n", e.Seq, compactJSON(e.Value))
			} else {
				_, err = fmt.Fprintf(w, "%d\tbase64:%s\n", e.Seq, line.ValueBase64)
			}
			if err != nil {
				return fmt.Errorf("%s: writing: %w", op, err)
			}
		}
		printed += len(page)
		after = page[len(page)-1].Seq
	}
	return nil
}

// compactJSON returns v without insignificant white space, so that a
// record is one line.
func compactJSON(v []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return v
	}
	return b.Bytes()
}

// WriteStats writes s to w as aligned text, or as one JSON object.
func WriteStats(w io.Writer, path string, s Stats, asJSON bool) error {
	if asJSON {
		v := struct {
			Path string `json:"path"`
			Stats
		}{path, s}
		if err := json.NewEncoder(w).Encode(v); err != nil {
			return fmt.Errorf("outbox.WriteStats: %w", err)
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", path)
	fmt.Fprintf(tw, "file size\t%d bytes\n", s.FileBytes)
	fmt.Fprintf(tw, "records\t%d\n", s.Count)
	fmt.Fprintf(tw, "value bytes\t%d\n", s.Bytes)
	fmt.Fprintf(tw, "oldest seq\t%d\n", s.OldestSeq)
	fmt.Fprintf(tw, "newest seq\t%d\n", s.NewestSeq)
	fmt.Fprintf(tw, "appended\t%d\n", s.Appended)
	fmt.Fprintf(tw, "acked\t%d (up to seq %d)\n", s.Acked, s.AckedUpTo)
	fmt.Fprintf(tw, "evicted\t%d\n", s.Evicted)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("outbox.WriteStats: %w", err)
	}
	return nil
}
