package mqttsync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// WatchOptions configure Watch, the operator's view of devices.
type WatchOptions struct {
	// Config holds the broker URL, protocol, credentials and TLS files;
	// DeviceID and TopicPrefix are ignored.
	Config Config
	// Device limits the output to one device ("" = every device).
	Device string
	// Root is the topic root the devices publish under (default "fovea/").
	Root string
	// JSON prints one JSON object per line instead of text.
	JSON   bool
	Out    io.Writer
	Logger *slog.Logger
}

// WatchEvent is one line of Watch's JSON output.
type WatchEvent struct {
	Device string          `json:"device_id"`
	Kind   string          `json:"kind"` // result, status, metrics, reply
	Topic  string          `json:"topic"`
	Seq    uint64          `json:"seq,omitempty"`
	Record json.RawMessage `json:"record,omitempty"`
	Error  string          `json:"error,omitempty"`
	Status *Status         `json:"status,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Watch subscribes to the devices' results, status, metrics and command
// replies and prints them as they arrive, until ctx ends.
func Watch(ctx context.Context, o WatchOptions) error {
	if o.Root == "" {
		o.Root = "fovea/"
	}
	if !strings.HasSuffix(o.Root, "/") {
		o.Root += "/"
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dev := o.Device
	if dev == "" {
		dev = "+"
	}
	cfg := o.Config
	cfg.DeviceID = "watch"
	if cfg.ClientID == "" {
		cfg.ClientID = fmt.Sprintf("fovea-watch-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	}
	cfg.TopicPrefix = o.Root
	cfg.SessionExpiry = time.Second
	if cfg.MaxIncomingBytes == 0 {
		cfg.MaxIncomingBytes = maxIncomingLimit
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("mqttsync.Watch: %w: %w", ErrConfig, err)
	}
	w := &watcher{o: o}
	cli, err := NewClient(ClientOptions{
		Config:    cfg,
		Subscribe: []string{o.Root + dev + "/#"},
		OnMessage: w.onMessage,
		OnConnect: func() { o.Logger.Info("watching", "broker", cfg.Broker.Redacted(), "topics", o.Root+dev+"/#") },
		OnError:   w.onError,
		Logger:    o.Logger,
	})
	if err != nil {
		return fmt.Errorf("mqttsync.Watch: %w", err)
	}
	if err := cli.Start(ctx); err != nil {
		return fmt.Errorf("mqttsync.Watch: %w", err)
	}
	<-ctx.Done()
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	return cli.Close(closeCtx)
}

type watcher struct {
	o       WatchOptions
	mu      sync.Mutex // serialises output; guards lastErr
	lastErr string
}

// onError logs connection errors, once per distinct message.
func (w *watcher) onError(err error) {
	w.mu.Lock()
	repeated := w.lastErr == err.Error()
	w.lastErr = err.Error()
	w.mu.Unlock()
	if !repeated {
		w.o.Logger.Warn("broker connection (retrying)", "err", err)
	}
}

func (w *watcher) onMessage(m Message) {
	rest, ok := strings.CutPrefix(m.Topic, w.o.Root)
	if !ok {
		return
	}
	device, kind, ok := strings.Cut(rest, "/")
	if !ok {
		return
	}
	var events []WatchEvent
	switch {
	case kind == "results":
		b, err := DecodeBatch(m.Payload, maxIncomingLimit*4)
		if err != nil {
			events = append(events, WatchEvent{Device: device, Kind: "result", Topic: m.Topic, Error: err.Error()})
			break
		}
		for _, r := range b.Results {
			events = append(events, WatchEvent{Device: device, Kind: "result", Topic: m.Topic, Seq: r.Seq, Record: r.Record, Error: r.Error})
		}
	case kind == "status":
		st, err := DecodeStatus(m.Payload)
		ev := WatchEvent{Device: device, Kind: "status", Topic: m.Topic, Status: st}
		if err != nil {
			ev.Error = err.Error()
		}
		events = append(events, ev)
	case kind == "metrics":
		events = append(events, w.raw(device, "metrics", m))
	case strings.HasPrefix(kind, "cmd/") && strings.HasSuffix(kind, "/reply"):
		events = append(events, w.raw(device, "reply", m))
	default:
		return // commands to devices, other traffic
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ev := range events {
		w.print(ev)
	}
}

func (w *watcher) raw(device, kind string, m Message) WatchEvent {
	ev := WatchEvent{Device: device, Kind: kind, Topic: m.Topic}
	if json.Valid(m.Payload) {
		ev.Data = m.Payload
	} else {
		ev.Error = fmt.Sprintf("payload of %d bytes is not JSON", len(m.Payload))
	}
	return ev
}

func (w *watcher) print(ev WatchEvent) {
	if w.o.JSON {
		b, _ := json.Marshal(ev)
		fmt.Fprintf(w.o.Out, "%s\n", b)
		return
	}
	switch {
	case ev.Error != "" && ev.Kind == "result" && ev.Seq != 0:
		fmt.Fprintf(w.o.Out, "%s result seq=%d error: %s\n", ev.Device, ev.Seq, ev.Error)
	case ev.Error != "":
		fmt.Fprintf(w.o.Out, "%s %s error: %s\n", ev.Device, ev.Kind, ev.Error)
	case ev.Kind == "result":
		fmt.Fprintf(w.o.Out, "%s result seq=%d %s\n", ev.Device, ev.Seq, ev.Record)
	case ev.Kind == "status":
		fmt.Fprintf(w.o.Out, "%s status %s agent=%s model=%s protocol=%s\n", ev.Device, ev.Status.State, ev.Status.AgentVersion, ev.Status.ModelVersion, ev.Status.Protocol)
	default:
		fmt.Fprintf(w.o.Out, "%s %s %s %s\n", ev.Device, ev.Kind, ev.Topic, ev.Data)
	}
}
