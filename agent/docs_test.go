package agent

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// jsonBlock finds the first ```json block after marker in a document.
func jsonBlock(t *testing.T, doc, marker string) []byte {
	t.Helper()
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, marker)
	if i < 0 {
		t.Fatalf("%s has no %q", doc, marker)
	}
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(s[i:])
	if m == nil {
		t.Fatalf("%s: no ```json block after %q", doc, marker)
	}
	return []byte(m[1])
}

// strict decodes data into v refusing unknown fields and trailing data.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return &json.SyntaxError{}
	}
	return nil
}

// TestDocExamples: the example payloads in docs/mqtt.md and
// docs/record.md decode strictly into the types the agent really sends,
// and their records pass record.Decode's checks.
func TestDocExamples(t *testing.T) {
	var batch mqttsync.Batch
	if err := strict(jsonBlock(t, "../docs/mqtt.md", "**results**"), &batch); err != nil {
		t.Fatalf("docs/mqtt.md results example does not decode into mqttsync.Batch: %v", err)
	}
	if batch.V != mqttsync.PayloadVersion || len(batch.Results) == 0 || batch.Results[0].Record == nil {
		t.Fatalf("docs/mqtt.md results example = %+v; want v%d with a record", batch, mqttsync.PayloadVersion)
	}
	var records [][]byte
	for _, r := range batch.Results {
		if r.Record != nil {
			records = append(records, r.Record)
		}
	}
	records = append(records, jsonBlock(t, "../docs/record.md", "# The result record"))
	for i, raw := range records {
		var r record.Record
		if err := strict(raw, &r); err != nil {
			t.Errorf("doc record %d does not decode strictly into record.Record: %v\n%s", i, err, raw)
			continue
		}
		if _, err := record.Decode(raw); err != nil {
			t.Errorf("doc record %d: record.Decode = %v", i, err)
		}
		// The doc shows what Encode writes, field for field.
		enc, err := record.Encode(&r)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if json.Unmarshal(enc, &a) != nil || json.Unmarshal(raw, &b) != nil || !jsonEqual(a, b) {
			t.Errorf("doc record %d differs from its re-encoding:\ndoc %s\nenc %s", i, raw, enc)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
