package mqttsync

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/fovea-edge/fovea/sync/outbox"
)

// PayloadVersion is the version of every JSON payload this package
// publishes (field "v"). Consumers must reject versions they do not know.
const PayloadVersion = 1

// Batch is the payload of the results topic: records from the outbox,
// oldest first. (DeviceID, Result.Seq) identifies a record; a consumer
// drops duplicates by that pair.
type Batch struct {
	V        int      `json:"v"`
	DeviceID string   `json:"device_id"`
	Results  []Result `json:"results"`
}

// Result is one outbox record in a Batch. Record holds the agent's JSON
// result; when a record could not be sent (not valid JSON, or too large for
// any message) Record is absent and Error says why, so the gap is visible.
type Result struct {
	Seq    uint64          `json:"seq"`
	Record json.RawMessage `json:"record,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// batchEncoder builds results payloads; it reuses its buffers.
type batchEncoder struct {
	head []byte // {"v":1,"device_id":"…","results":[
	gzip bool
	buf  bytes.Buffer
	zbuf bytes.Buffer
	zw   *gzip.Writer
}

func newBatchEncoder(deviceID string, gz bool) *batchEncoder {
	id, _ := json.Marshal(deviceID)
	head := fmt.Appendf(nil, `{"v":%d,"device_id":%s,"results":[`, PayloadVersion, id)
	return &batchEncoder{head: head, gzip: gz}
}

// encode puts the longest prefix of entries whose JSON fits in limit bytes
// into a payload and returns it with the number of entries it holds
// (at least one when entries is not empty: a record that fits no message
// on its own is sent as a Result with Error). bad counts such records.
// With gzip the payload is compressed unless that would not fit in
// packetLimit; the returned bool says whether it was.
func (e *batchEncoder) encode(entries []outbox.Entry, limit, packetLimit int) (payload []byte, n, bad int, gz bool) {
	b := &e.buf
	b.Reset()
	b.Write(e.head)
	const tail = 2 // "]}"
	for i, en := range entries {
		start := b.Len()
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"seq":`)
		b.Write(strconv.AppendUint(b.AvailableBuffer(), en.Seq, 10))
		switch {
		case !json.Valid(en.Value):
			b.WriteString(`,"error":"record is not valid JSON; dropped by the agent"}`)
			bad++
		case len(en.Value)+len(e.head)+64 > limit:
			fmt.Fprintf(b, `,"error":"record of %d bytes exceeds the message size limit of %d bytes; dropped by the agent"}`, len(en.Value), limit)
			bad++
		default:
			b.WriteString(`,"record":`)
			b.Write(en.Value)
			b.WriteByte('}')
		}
		if b.Len()+tail > limit && i > 0 {
			b.Truncate(start)
			break
		}
		n = i + 1
	}
	b.WriteString("]}")
	if !e.gzip || n == 0 {
		return b.Bytes(), n, bad, false
	}
	e.zbuf.Reset()
	if e.zw == nil {
		e.zw, _ = gzip.NewWriterLevel(&e.zbuf, gzip.BestSpeed)
	} else {
		e.zw.Reset(&e.zbuf)
	}
	_, _ = e.zw.Write(b.Bytes())
	_ = e.zw.Close()
	if e.zbuf.Len() > packetLimit || e.zbuf.Len() >= b.Len() {
		return b.Bytes(), n, bad, false
	}
	return e.zbuf.Bytes(), n, bad, true
}

// DecodeBatch decodes a results payload (gzip-compressed or not; gzip is
// recognised by its magic bytes, which JSON never starts with). maxBytes
// caps the decompressed size. Unknown fields are ignored (forward
// compatible within a version); an unknown version is an error.
func DecodeBatch(payload []byte, maxBytes int) (*Batch, error) {
	data, err := maybeGunzip(payload, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("mqttsync.DecodeBatch: %w", err)
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("mqttsync.DecodeBatch: %w: %v", ErrBadPayload, err)
	}
	if b.V != PayloadVersion {
		return nil, fmt.Errorf("mqttsync.DecodeBatch: %w: payload version %d, this build reads version %d", ErrBadPayload, b.V, PayloadVersion)
	}
	if b.DeviceID == "" {
		return nil, fmt.Errorf("mqttsync.DecodeBatch: %w: device_id is empty", ErrBadPayload)
	}
	for i, r := range b.Results {
		if r.Seq == 0 {
			return nil, fmt.Errorf("mqttsync.DecodeBatch: %w: results[%d] has no seq", ErrBadPayload, i)
		}
		if len(r.Record) == 0 && r.Error == "" {
			return nil, fmt.Errorf("mqttsync.DecodeBatch: %w: results[%d] (seq %d) has neither record nor error", ErrBadPayload, i, r.Seq)
		}
	}
	return &b, nil
}

func maybeGunzip(payload []byte, maxBytes int) ([]byte, error) {
	if len(payload) < 2 || payload[0] != 0x1f || payload[1] != 0x8b {
		if len(payload) > maxBytes {
			return nil, fmt.Errorf("%w: %d bytes exceeds the limit of %d", ErrBadPayload, len(payload), maxBytes)
		}
		return payload, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrBadPayload, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: gzip: %v", ErrBadPayload, err)
	}
	if len(data) > maxBytes {
		return nil, fmt.Errorf("%w: decompresses to more than the limit of %d bytes", ErrBadPayload, maxBytes)
	}
	return data, nil
}

// Status is the retained payload of the status topic. The offline status
// is also the Last Will, so the broker publishes it when the device
// vanishes without a clean disconnect.
type Status struct {
	V            int    `json:"v"`
	DeviceID     string `json:"device_id"`
	State        string `json:"state"` // "online" or "offline"
	AgentVersion string `json:"agent_version,omitempty"`
	ModelVersion string `json:"model_version,omitempty"`
	Protocol     string `json:"protocol,omitempty"`
}

// StatusInfo is what the agent reports in Status.
type StatusInfo struct {
	AgentVersion string `json:"agent_version,omitempty"`
	ModelVersion string `json:"model_version,omitempty"`
}

// DecodeStatus decodes a status payload.
func DecodeStatus(payload []byte) (*Status, error) {
	var s Status
	if err := json.Unmarshal(payload, &s); err != nil {
		return nil, fmt.Errorf("mqttsync.DecodeStatus: %w: %v", ErrBadPayload, err)
	}
	if s.V != PayloadVersion {
		return nil, fmt.Errorf("mqttsync.DecodeStatus: %w: payload version %d, this build reads version %d", ErrBadPayload, s.V, PayloadVersion)
	}
	if s.State != "online" && s.State != "offline" {
		return nil, fmt.Errorf("mqttsync.DecodeStatus: %w: state %q is neither online nor offline", ErrBadPayload, s.State)
	}
	return &s, nil
}

// Telemetry is the payload of the metrics topic.
type Telemetry struct {
	V        int       `json:"v"`
	DeviceID string    `json:"device_id"`
	Sync     SyncStats `json:"sync"`
	// Agent is the agent's snapshot (fps, latency percentiles, per-label
	// counts, drops, model version…), as the agent defines it.
	Agent any `json:"agent,omitempty"`
}

// SyncStats is this package's part of the telemetry.
type SyncStats struct {
	Delivered  uint64 `json:"delivered"`   // results acknowledged by the broker since start
	AckedSeq   uint64 `json:"acked_seq"`   // newest outbox seq acknowledged
	Rejected   uint64 `json:"rejected"`    // publishes refused by the broker since start
	Dropped    uint64 `json:"dropped"`     // records sent as errors (invalid or oversized)
	CmdDropped uint64 `json:"cmd_dropped"` // incoming commands dropped (size, rate, queue)
}
