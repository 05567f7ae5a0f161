package mqttsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/fovea-edge/fovea/sync/outbox"
)

// Queue is what the drain loop needs from the outbox (*outbox.Outbox
// satisfies it): read oldest-first after a cursor, delete up to a
// sequence once delivered, and a signal when records arrive.
type Queue interface {
	Read(after uint64, maxRecords, maxBytes int) ([]outbox.Entry, error)
	Ack(upTo uint64) error
	Notify() <-chan struct{}
}

// statser is implemented by queues that report statistics (the outbox);
// the outbox/stats command and the telemetry use it when present.
type statser interface{ Stats() outbox.Stats }

// Options configure a Syncer. Config and Queue are required.
type Options struct {
	Config Config
	Queue  Queue
	Logger *slog.Logger
	// Registerer receives the Prometheus metrics; nil keeps them private.
	Registerer prometheus.Registerer
	// Telemetry returns the agent's snapshot for the metrics topic.
	Telemetry func() any
	// Status returns the versions reported in the status topic.
	Status func() StatusInfo
	// NewClient overrides the client constructor; nil uses NewClient.
	NewClient func(ClientOptions) (Client, error)
}

// Syncer drains the outbox to the broker with at-least-once delivery,
// publishes status and telemetry, and answers commands.
type Syncer struct {
	cfg       Config
	q         Queue
	log       *slog.Logger
	opts      Options
	m         *metrics
	topics    topics
	enc       *batchEncoder
	cmdIn     chan Message // incoming commands, bounded
	limiter   *tokenBucket // incoming command rate
	statusDue chan struct{}

	hmu      sync.Mutex // guards handlers
	handlers map[string]HandlerFunc
	subs     []subscription // set before Run
	subIn    chan Message   // messages for subs, bounded
	started  bool           // Run was called; guarded by hmu

	mu            sync.Mutex // guards health, everConnected, cli
	health        Health
	everConnected bool
	cli           Client
}

// Health is the state of the sync, for the agent's status endpoint.
type Health struct {
	Connected bool `json:"connected"`
	// State is "connecting" (never connected yet), "disconnected",
	// "rejected" (connected, but the broker refuses our results; they are
	// kept in the outbox and retried) or "ok".
	State string `json:"state"`
	// Rejection is why the broker refused the last results publish; it is
	// cleared by the next successful one.
	Rejection     string    `json:"rejection,omitempty"`
	LastError     string    `json:"last_error,omitempty"`
	LastErrorAt   time.Time `json:"last_error_at,omitzero"`
	LastPublishAt time.Time `json:"last_publish_at,omitzero"`
	Protocol      string    `json:"protocol"`
	SyncStats
}

type topics struct {
	results, status, metrics, cmdFilter string
}

// New returns a Syncer; Run starts it. It applies the defaults but does
// not validate opts.Config again: the agent validated it when it loaded
// its configuration, and a caller that builds a Config itself calls
// Config.Validate. New refuses only what would make the Syncer unusable
// (no broker, device id or queue), which is a programming error.
func New(opts Options) (*Syncer, error) {
	cfg := opts.Config.WithDefaults()
	var errs []error
	if cfg.Broker == nil {
		errs = append(errs, errors.New("no broker URL"))
	}
	if cfg.DeviceID == "" {
		errs = append(errs, errors.New("no device id"))
	}
	if opts.Queue == nil {
		errs = append(errs, errors.New("no Queue (the outbox) given"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mqttsync.New: %w: %w", ErrConfig, err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	if opts.NewClient == nil {
		opts.NewClient = NewClient
	}
	s := &Syncer{
		cfg:  cfg,
		q:    opts.Queue,
		log:  opts.Logger.With("component", "mqttsync"),
		opts: opts,
		topics: topics{
			results:   cfg.TopicPrefix + "results",
			status:    cfg.TopicPrefix + "status",
			metrics:   cfg.TopicPrefix + "metrics",
			cmdFilter: cfg.TopicPrefix + "cmd/#",
		},
		enc:       newBatchEncoder(cfg.DeviceID, cfg.Gzip),
		cmdIn:     make(chan Message, 16),
		limiter:   newTokenBucket(cfg.CommandsPerSecond, 2*cfg.CommandsPerSecond),
		statusDue: make(chan struct{}, 1),
		health:    Health{Protocol: cfg.Protocol},
		handlers:  map[string]HandlerFunc{},
		subIn:     make(chan Message, 64),
	}
	s.handleBuiltins()
	m, err := newMetrics(opts.Registerer, s.wireBytes)
	if err != nil {
		return nil, fmt.Errorf("mqttsync.New: %w", err)
	}
	s.m = m
	return s, nil
}

// Run connects and syncs until ctx ends, then publishes the offline status
// and disconnects. It returns nil on cancellation.
func (s *Syncer) Run(ctx context.Context) error {
	offline, _ := json.Marshal(s.status("offline"))
	s.hmu.Lock()
	s.started = true
	filters := []string{s.topics.cmdFilter}
	for _, sub := range s.subs {
		filters = append(filters, sub.filter)
	}
	s.hmu.Unlock()
	cli, err := s.opts.NewClient(ClientOptions{
		Config:    s.cfg,
		Will:      &Message{Topic: s.topics.status, Payload: offline, Retain: true},
		Subscribe: filters,
		OnMessage: s.onMessage,
		OnConnect: s.onConnect,
		OnError:   s.onError,
		Logger:    s.log,
	})
	if err != nil {
		return fmt.Errorf("mqttsync.Run: %w", err)
	}
	// The client outlives ctx by the few seconds it takes to say offline.
	cliCtx, cancelCli := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelCli()
	if err := cli.Start(cliCtx); err != nil {
		return fmt.Errorf("mqttsync.Run: %w", err)
	}
	// Publish may use the client only once Start has set it up.
	s.mu.Lock()
	s.cli = cli
	s.mu.Unlock()

	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Go(func() {
		if err := s.drainLoop(ctx); err != nil {
			errc <- err
		}
	})
	wg.Go(func() { s.telemetryLoop(ctx) })
	wg.Go(func() { s.commandLoop(ctx) })
	wg.Go(func() { s.subscriptionLoop(ctx) })
	wg.Wait()

	s.sayOffline(cli, offline)
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := cli.Close(closeCtx); err != nil {
		s.log.Warn("disconnect", "err", err)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("mqttsync.Run: %w", err)
	default:
		return nil
	}
}

// sayOffline publishes the offline status on a clean shutdown (the broker
// only sends the Last Will when the connection is lost).
func (s *Syncer) sayOffline(cli Client, offline []byte) {
	if !s.Health().Connected {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := cli.Publish(ctx, Message{Topic: s.topics.status, Payload: offline, Retain: true}); err != nil {
		s.log.Warn("publish offline status", "err", err)
	}
}

// StatusChanged asks for the retained status to be published again (call
// it after the model or agent version changed, e.g. after an OTA update).
func (s *Syncer) StatusChanged() {
	select {
	case s.statusDue <- struct{}{}:
	default:
	}
}

// Health returns the current sync health.
func (s *Syncer) Health() Health {
	s.mu.Lock()
	h := s.health
	everConnected := s.everConnected
	s.mu.Unlock()
	switch {
	case !h.Connected && !everConnected:
		h.State = "connecting"
	case !h.Connected:
		h.State = "disconnected"
	case h.Rejection != "":
		h.State = "rejected"
	default:
		h.State = "ok"
	}
	return h
}

func (s *Syncer) updateHealth(f func(*Health)) {
	s.mu.Lock()
	f(&s.health)
	s.mu.Unlock()
}

func (s *Syncer) wireBytes() (int64, int64) {
	s.mu.Lock()
	cli := s.cli
	s.mu.Unlock()
	if cli == nil {
		return 0, 0
	}
	return cli.WireBytes()
}

func (s *Syncer) onConnect() {
	s.m.connected.Set(1)
	s.m.connects.Inc()
	s.mu.Lock()
	s.health.Connected = true
	s.everConnected = true
	s.mu.Unlock()
	s.log.Info("connected", "broker", s.cfg.Broker.Redacted(), "protocol", s.cfg.Protocol)
	s.StatusChanged()
}

func (s *Syncer) onError(err error) {
	s.m.connErrors.Inc()
	s.m.connected.Set(0)
	msg := err.Error()
	var repeated bool
	s.updateHealth(func(h *Health) {
		repeated = h.LastError == msg
		h.Connected = false
		h.LastError = msg
		h.LastErrorAt = time.Now()
	})
	// Retries while the broker is away repeat the same error: warn once.
	level := slog.LevelWarn
	if repeated {
		level = slog.LevelDebug
	}
	s.log.Log(context.Background(), level, "broker connection", "broker", s.cfg.Broker.Redacted(), "err", err)
}

func (s *Syncer) status(state string) Status {
	st := Status{V: PayloadVersion, DeviceID: s.cfg.DeviceID, State: state, Protocol: s.cfg.Protocol}
	if s.opts.Status != nil {
		info := s.opts.Status()
		st.AgentVersion, st.ModelVersion = info.AgentVersion, info.ModelVersion
	}
	return st
}

// publish sends one message and counts it; kind labels the metrics.
func (s *Syncer) publish(ctx context.Context, kind string, m Message) error {
	err := s.client().Publish(ctx, m)
	if err != nil {
		var rej *RejectedError
		switch {
		case errors.As(err, &rej):
			s.m.publishFailures.WithLabelValues("rejected").Inc()
			s.m.rejected.WithLabelValues(fmt.Sprintf("0x%02x", rej.Code)).Inc()
		case errors.Is(err, ErrNotConnected):
			s.m.publishFailures.WithLabelValues("not_connected").Inc()
		case errors.Is(err, context.DeadlineExceeded):
			s.m.publishFailures.WithLabelValues("timeout").Inc()
		case ctx.Err() != nil:
		default:
			s.m.publishFailures.WithLabelValues("error").Inc()
		}
		return err
	}
	s.m.published.WithLabelValues(kind).Inc()
	s.m.publishedBytes.WithLabelValues(kind).Add(float64(len(m.Payload)))
	return nil
}

func (s *Syncer) client() Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cli
}
