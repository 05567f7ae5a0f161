package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Topic suffixes of the chunked transfer, below a device's topic prefix
// ("fovea/<device>/"): the device publishes ChunkRequests on
// RequestSuffix and receives manifests and chunks on DataSuffix.
const (
	RequestSuffix = "ota/chunks/request"
	DataSuffix    = "ota/chunks/data"
	// RequestFilter is what a ChunkServer subscribes to under the default
	// topic prefix "fovea/<device>/".
	RequestFilter = "fovea/+/" + RequestSuffix
)

// RequestFilterUnder is RequestFilter for devices whose topic prefix is
// root + "<device>/" (root ends in '/'; "" is the default "fovea/").
func RequestFilterUnder(root string) string {
	if root == "" {
		return RequestFilter
	}
	return root + "+/" + RequestSuffix
}

// DataTopicFor returns the data topic that answers a request topic
// ("…/ota/chunks/request" → "…/ota/chunks/data"); ok is false for any
// other topic.
func DataTopicFor(requestTopic string) (string, bool) {
	base, ok := strings.CutSuffix(requestTopic, RequestSuffix)
	if !ok || strings.ContainsAny(base, "+#") {
		return "", false
	}
	return base + DataSuffix, true
}

// Message is one MQTT application message.
type Message struct {
	Topic   string
	Payload []byte
	Retain  bool
}

// Publisher sends a message with QoS 1 and returns once the broker has it
// (mqttsync.Syncer.Publish on the device; a paho client for the operator).
type Publisher interface {
	Publish(ctx context.Context, m Message) error
}

// Subscriber adds a subscription that holds across reconnects; fn runs on
// a goroutine owned by the client and must not block for long
// (mqttsync.Syncer.Subscribe on the device, before Run).
type Subscriber interface {
	Subscribe(filter string, fn func(Message))
}

// MQTTOptions configure the device side of chunked transfers.
type MQTTOptions struct {
	// Publisher sends the device's requests (required).
	Publisher Publisher
	// RequestTopic is the device's request topic, e.g.
	// "fovea/<device>/ota/chunks/request" (required). Messages on the
	// matching data topic must be handed to MQTT.Deliver.
	RequestTopic string
	// Window is how many chunks are requested and in flight at once
	// (default 8). It bounds the memory a transfer holds.
	Window int
	// RequestTimeout is the wait for a requested chunk before asking again;
	// it grows with jittered back-off up to RetryMax (defaults 5s, 60s).
	RequestTimeout, RetryMax time.Duration
	// StallTimeout ends a Fetch with ErrStalled when no valid chunk arrived
	// for this long (default 10 minutes). What was received is kept.
	StallTimeout time.Duration
	// SyncEvery is how many chunks are written between two fsyncs of the
	// partial file and its chunk map (default 32). A crash loses at most
	// that many chunks of progress.
	SyncEvery int
	// Reserve and FreeSpace: as in HTTPOptions.
	Reserve   int64
	FreeSpace FreeSpaceFunc
	Logger    *slog.Logger
}

// MQTT receives chunked transfers over MQTT (see ChunkServer for the
// sender). One Fetch runs at a time.
type MQTT struct {
	opts MQTTOptions

	mu  sync.Mutex
	cur chan []byte // guarded by mu: the running Fetch's inbox, or nil

	// counters, read by Stats
	received, rejected, dropped, requests atomic.Int64
}

// MQTTStats count what the device side saw since NewMQTT.
type MQTTStats struct {
	Received int64 // chunk and manifest messages accepted
	Rejected int64 // messages that failed a check (corrupt, other transfer, wrong hash)
	Dropped  int64 // messages dropped because the inbox was full or no Fetch ran
	Requests int64 // request messages published
}

// NewMQTT returns the device side of chunked transfers.
func NewMQTT(opts MQTTOptions) (*MQTT, error) {
	if opts.Publisher == nil {
		return nil, errors.New("fetch.NewMQTT: no Publisher")
	}
	if _, ok := DataTopicFor(opts.RequestTopic); !ok {
		return nil, fmt.Errorf("fetch.NewMQTT: request topic %q must end in %q", opts.RequestTopic, RequestSuffix)
	}
	if opts.Window <= 0 {
		opts.Window = 8
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 5 * time.Second
	}
	if opts.RetryMax < opts.RequestTimeout {
		opts.RetryMax = max(time.Minute, opts.RequestTimeout)
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 10 * time.Minute
	}
	if opts.SyncEvery <= 0 {
		opts.SyncEvery = 32
	}
	switch {
	case opts.Reserve == 0:
		opts.Reserve = DefaultReserve
	case opts.Reserve < 0:
		opts.Reserve = 0
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = FreeSpace
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &MQTT{opts: opts}, nil
}

// DataTopic is the topic whose messages must be handed to Deliver.
func (m *MQTT) DataTopic() string {
	t, _ := DataTopicFor(m.opts.RequestTopic)
	return t
}

// Deliver hands a message received on DataTopic to the running Fetch. It
// never blocks: when no Fetch runs or its inbox (2×Window messages) is
// full, the message is dropped and will be requested again.
func (m *MQTT) Deliver(msg Message) {
	m.mu.Lock()
	in := m.cur
	m.mu.Unlock()
	if in == nil {
		m.dropped.Add(1)
		return
	}
	select {
	case in <- msg.Payload:
	default:
		m.dropped.Add(1)
	}
}

// Stats returns the counters.
func (m *MQTT) Stats() MQTTStats {
	return MQTTStats{Received: m.received.Load(), Rejected: m.rejected.Load(), Dropped: m.dropped.Load(), Requests: m.requests.Load()}
}

// Fetch receives the transfer src.TransferID to dst (see Fetcher). A
// transfer interrupted by ctx, a lost connection or a restart resumes from
// the chunks recorded in dst+".partial.chunks".
func (m *MQTT) Fetch(ctx context.Context, src Source, dst string, progress func(done, total int64)) error {
	if err := src.Validate(); err != nil {
		return fmt.Errorf("fetch.MQTT.Fetch: %w", err)
	}
	if src.Scheme() != "mqtt" {
		return fmt.Errorf("fetch.MQTT.Fetch: %w: %s is not an MQTT transfer", ErrSource, src)
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	in := make(chan []byte, 2*m.opts.Window)
	m.mu.Lock()
	if m.cur != nil {
		m.mu.Unlock()
		return fmt.Errorf("fetch.MQTT.Fetch: %s: another transfer is running", src)
	}
	m.cur = in
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.cur = nil
		m.mu.Unlock()
	}()
	t, err := m.open(src, dst, in, progress)
	if err == nil {
		err = t.run(ctx)
	}
	if err != nil {
		return fmt.Errorf("fetch.MQTT.Fetch %s: %w", src, err)
	}
	return nil
}
