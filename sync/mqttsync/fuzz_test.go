package mqttsync

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/fovea-edge/fovea/sync/outbox"
)

// FuzzDecodeCommand: any topic and payload decode to a command or an
// error, never a panic; accepted commands have a valid name and short id.
func FuzzDecodeCommand(f *testing.F) {
	for _, s := range [][2]string{
		{"fovea/d/cmd/ping", ""}, {"fovea/d/cmd/config/get", `{"id":"1","args":{}}`},
		{"fovea/d/cmd/x/reply", "{}"}, {"fovea/d/cmd/", `{"id":`}, {"fovea/d/cmd/ping", `{"args":[1]}`},
	} {
		f.Add(s[0], []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		c, err := DecodeCommand("fovea/d/", topic, payload, 4096)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) && !errors.Is(err, errIsReply) {
				t.Fatalf("error %v is neither ErrBadCommand nor a reply", err)
			}
			return
		}
		if validName(c.Name) != nil || len(c.ID) > maxCommandID || !utf8.ValidString(c.ID) || len(payload) > 4096 {
			t.Fatalf("accepted invalid command %+v", c)
		}
	})
}

// FuzzDecodeBatch: any payload decodes or fails with ErrBadPayload, and
// what the encoder makes always decodes back to the same records.
func FuzzDecodeBatch(f *testing.F) {
	enc := newBatchEncoder("dev1", false)
	p, _, _, _ := enc.encode(entries(1, 3), 1<<20, 1<<20)
	f.Add(append([]byte(nil), p...))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(p)
	zw.Close()
	f.Add(z.Bytes())
	f.Add([]byte(`{"v":1,"device_id":"d","results":[{"seq":1,"error":"x"}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := DecodeBatch(payload, 1<<20)
		if err != nil {
			if !errors.Is(err, ErrBadPayload) {
				t.Fatalf("error %v is not ErrBadPayload", err)
			}
		} else if b.V != PayloadVersion || b.DeviceID == "" {
			t.Fatalf("accepted %+v", b)
		}
		// Round trip: the payload as a record value.
		out, n, bad, _ := newBatchEncoder("dev1", true).encode([]outbox.Entry{{Seq: 1, Value: payload}}, 1<<20, 1<<20)
		rb, err := DecodeBatch(out, 64<<20)
		if err != nil || n != 1 || len(rb.Results) != 1 {
			t.Fatalf("encoder output does not decode: %v", err)
		}
		if bad == 0 && !json.Valid(rb.Results[0].Record) {
			t.Fatalf("record lost its JSON")
		}
	})
}
