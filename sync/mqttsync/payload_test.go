package mqttsync

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/sync/outbox"
)

func entries(from, n int) []outbox.Entry {
	var es []outbox.Entry
	for i := range n {
		es = append(es, outbox.Entry{Seq: uint64(from + i), Value: record(from + i)})
	}
	return es
}

func TestBatchEncoder(t *testing.T) {
	tests := []struct {
		name     string
		entries  []outbox.Entry
		limit    int
		gzip     bool
		wantN    int
		wantBad  int
		wantGzip bool
	}{
		{"all fit", entries(1, 10), 1 << 20, false, 10, 0, false},
		{"limit splits", entries(1, 10), 1000, false, 3, 0, false},
		{"gzip", entries(1, 100), 1 << 20, true, 100, 0, true},
		{"oversized first record", []outbox.Entry{{Seq: 5, Value: []byte(`{"x":"` + strings.Repeat("y", 5000) + `"}`)}, {Seq: 6, Value: record(6)}}, 2000, false, 2, 1, false},
		{"invalid JSON", []outbox.Entry{{Seq: 9, Value: []byte(`{`)}}, 2000, false, 1, 1, false},
		{"empty", nil, 2000, false, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := newBatchEncoder("dev1", tc.gzip)
			payload, n, bad, gz := enc.encode(tc.entries, tc.limit, tc.limit)
			if n != tc.wantN || bad != tc.wantBad || gz != tc.wantGzip {
				t.Fatalf("encode() n=%d bad=%d gzip=%v; want %d %d %v", n, bad, gz, tc.wantN, tc.wantBad, tc.wantGzip)
			}
			if len(payload) > tc.limit {
				t.Errorf("payload %d bytes > limit %d", len(payload), tc.limit)
			}
			if n == 0 {
				return
			}
			b, err := DecodeBatch(payload, 64<<20)
			if err != nil {
				t.Fatalf("DecodeBatch: %v\n%s", err, payload)
			}
			if len(b.Results) != n || b.DeviceID != "dev1" {
				t.Fatalf("decoded %d results for %q; want %d for dev1", len(b.Results), b.DeviceID, n)
			}
			for i, r := range b.Results {
				want := tc.entries[i]
				if r.Seq != want.Seq {
					t.Errorf("results[%d].Seq = %d; want %d", i, r.Seq, want.Seq)
				}
				if r.Error == "" && !bytes.Equal(r.Record, want.Value) {
					t.Errorf("results[%d].Record = %s; want %s", i, r.Record, want.Value)
				}
			}
		})
	}
}

func TestDecodeBatchErrors(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte(" "), 10<<20))
	zw.Close()
	tests := []struct {
		name    string
		payload []byte
		want    string
	}{
		{"not JSON", []byte("hello"), "malformed payload"},
		{"future version", []byte(`{"v":2,"device_id":"d","results":[]}`), "payload version 2"},
		{"no device", []byte(`{"v":1,"results":[]}`), "device_id is empty"},
		{"seq zero", []byte(`{"v":1,"device_id":"d","results":[{"seq":0,"record":{}}]}`), "has no seq"},
		{"empty result", []byte(`{"v":1,"device_id":"d","results":[{"seq":3}]}`), "neither record nor error"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 1, 2}, "gzip"},
		{"gzip bomb", bomb.Bytes(), "more than the limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBatch(tc.payload, 1<<20)
			if !errors.Is(err, ErrBadPayload) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeBatch() = %v; want ErrBadPayload mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDecodeCommand(t *testing.T) {
	const prefix = "fovea/dev1/"
	tests := []struct {
		name, topic, payload string
		wantName, wantID     string
		wantErr              string
	}{
		{"empty payload", prefix + "cmd/ping", "", "ping", "", ""},
		{"with id", prefix + "cmd/config/get", `{"id":"7"}`, "config/get", "7", ""},
		{"args null", prefix + "cmd/ping", `{"args":null}`, "ping", "", ""},
		{"reply is ignored", prefix + "cmd/ping/reply", `{}`, "", "", "reply topic"},
		{"other prefix", "fovea/dev2/cmd/ping", ``, "", "", "not under"},
		{"bad name", prefix + "cmd/Ping", ``, "", "", "may only use"},
		{"empty part", prefix + "cmd/a//b", ``, "", "", "empty part"},
		{"long id", prefix + "cmd/ping", fmt.Sprintf(`{"id":%q}`, strings.Repeat("i", 200)), "ping", "", "at most 128"},
		{"too large", prefix + "cmd/ping", strings.Repeat(" ", 5000), "ping", "", "exceeds the limit"},
		{"array", prefix + "cmd/ping", `[]`, "ping", "", "malformed command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCommand(prefix, tc.topic, []byte(tc.payload), 4096)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("DecodeCommand(%q, %q) = %v; want error %q", tc.topic, tc.payload, err, tc.wantErr)
			}
			if c.Name != tc.wantName || c.ID != tc.wantID {
				t.Errorf("DecodeCommand(%q) = %+v; want name %q id %q", tc.topic, c, tc.wantName, tc.wantID)
			}
		})
	}
}
