// Package agent wires Fovea's parts into the daemon: cameras → bounded
// per-camera queues → inference workers → result records → the durable
// outbox, with an HTTP server for health, readiness, Prometheus metrics and
// a JSON status. It is the only package that imports all the others.
//
// # Lifecycle
//
// New loads the model and prepares one classifier per worker, so a bad
// model or labels file fails before anything starts. Run opens the outbox
// in the data directory and the HTTP listener, starts every goroutine and
// returns when ctx ends, when every camera has ended (finite sources), or
// after Options.MaxResults results; each result that Run reported is
// durable in the outbox when Run returns.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging"
	"github.com/fovea-edge/fovea/sync/mqttsync"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// OutboxFile is the outbox's file name inside the data directory.
const OutboxFile = "outbox.db"

// Options are the parts of a run that are not configuration.
type Options struct {
	// Logger receives the agent's logs; nil discards them.
	Logger *slog.Logger
	// OnResult, when set, is called by a worker with each result after it
	// is durable in the outbox (fovea run --print). It must not block
	// long: it delays that worker.
	OnResult func(Result)
	// MaxResults stops the agent once this many results are durable; 0
	// runs until ctx ends or every camera has ended.
	MaxResults uint64
	// Observers watch every classified frame (see Observer).
	Observers []Observer
}

// Result is a durable result with the running accuracy of its camera.
type Result struct {
	Record record.Record
	// OutboxSeq is the record's sequence in the outbox.
	OutboxSeq uint64
	// Correct and Known count, for the camera, the results whose top-1
	// equals the frame's truth label and the results that had one.
	Correct, Known uint64
}

// Agent is the daemon. Create it with New, then call Run once.
type Agent struct {
	cfg       *config.Config
	log       *slog.Logger
	opts      Options
	hash      string
	engine    string
	models    *ModelHolder
	ota       *otaFeature              // nil without an ota section
	obs       []Observer               // set before Run
	syncHooks []func(*mqttsync.Syncer) // set before Run
	cams      []*cam
	metrics   *metrics
	mon       *monitorFeature // nil without monitor.enabled
	started   time.Time

	limit      resultLimit   // Options.MaxResults
	inferErrs  atomic.Uint64 // frames that yielded no result (classification or encoding failed)
	lat        latencies     // recent preprocess+invoke latencies
	results    atomic.Uint64 // results made durable in this run
	appendErrs atomic.Uint64 // appends that failed
	appendOK   atomic.Bool   // the last append succeeded (or none failed yet)
	lostLog    lostLog       // rate-limits the error about lost results
	auth       *httpAuth     // http.auth; nil when not configured

	mu       sync.Mutex
	box      *outbox.Outbox      // guarded by mu; nil until Run opens it and after Run closes it
	q        *queue              // guarded by mu; nil until Run starts the pipeline
	syncer   *mqttsync.Syncer    // guarded by mu; nil without an mqtt section
	lastErr  string              // guarded by mu; last append error
	httpAddr net.Addr            // guarded by mu
	ran      bool                // guarded by mu
	marks    map[string]rateMark // guarded by mu; Telemetry's previous counters per camera
	listenUp chan struct{}       // closed once the HTTP listener is bound (or Run has failed)
}

var (
	// ErrAlreadyRun is returned by a second call to Run.
	ErrAlreadyRun = errors.New("agent.Run called twice; create a new Agent")
	// ErrCamerasFailed is returned by Run when cameras failed permanently
	// and no camera is left running.
	ErrCamerasFailed = errors.New("every camera failed")
)

// New checks cfg, loads the model and prepares the classifiers.
func New(cfg *config.Config, opts Options) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("agent.New: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &Agent{
		cfg:      cfg,
		log:      opts.Logger,
		opts:     opts,
		hash:     cfg.Hash(),
		engine:   cfg.Model.Engine,
		started:  time.Now(),
		listenUp: make(chan struct{}),
		obs:      slices.Clone(opts.Observers),
	}
	a.appendOK.Store(true)
	a.limit.max = opts.MaxResults
	auth, err := loadHTTPAuth(cfg.HTTP.Auth, os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("agent.New: %w", err)
	}
	a.auth = auth
	resize, err := imaging.ByName(cfg.Model.Resize)
	if err != nil {
		return nil, fmt.Errorf("agent.New: model.resize: %w", err)
	}
	a.models = newModelHolder(cfg.Pipeline.Workers, cfg.Model.Engine, infer.ClassifierOptions{Threads: cfg.Model.Threads, Resize: resize})
	if mc := cfg.Monitor; mc != nil && mc.Enabled && mc.Embedding != "" {
		a.models.keep = []string{mc.Embedding} // the monitor's embedding test (monitor.go)
	}
	path, labels, ref, err := a.startModel()
	if err != nil {
		return nil, fmt.Errorf("agent.New: %w", err)
	}
	m, err := a.models.Load(path, labels, ref)
	if err != nil && path != cfg.Model.Path {
		// An installed version that verifies but does not load (an engine
		// change): run the configured model instead.
		a.log.Error("installed model does not load; starting on model.path", "path", path, "err", err)
		if err := a.ota.store.SetActive(""); err != nil {
			return nil, fmt.Errorf("agent.New: %w", err)
		}
		path = cfg.Model.Path
		m, err = a.models.Load(path, cfg.Model.Labels, ModelRef{})
	}
	if err != nil {
		// Name the key the user has to fix.
		if errors.Is(err, ErrLabels) {
			return nil, fmt.Errorf("agent.New: model.labels %s: %w", cfg.Model.Labels, err)
		}
		return nil, fmt.Errorf("agent.New: model.path %s: %w", path, err)
	}
	if _, err := a.models.Activate(m); err != nil {
		return nil, fmt.Errorf("agent.New: model %s: %w", cfg.Model.Path, err)
	}
	for _, c := range cfg.Cameras {
		a.cams = append(a.cams, newCam(c, cfg.Pipeline.StaleAfter.D(), a.log.With("camera", c.ID)))
	}
	a.metrics = newMetrics(a)
	if err := a.initOTA(); err != nil {
		return nil, fmt.Errorf("agent.New: ota: %w", err)
	}
	if a.mon, err = newMonitorFeature(a); err != nil {
		return nil, err
	}
	a.log.Info("model loaded", "name", m.Ref.Name, "version", m.Ref.Version, "sha256", m.Ref.SHA256, "engine", a.engine, "workers", cfg.Pipeline.Workers)
	return a, nil
}

// ModelInfo describes the active model.
func (a *Agent) ModelInfo() infer.ModelInfo { return a.models.Active().Info }

// Models returns the holder of the active and shadow models (for OTA).
func (a *Agent) Models() *ModelHolder { return a.models }

// Run runs the agent until ctx ends, every camera has ended, or
// Options.MaxResults results are durable. It returns after a clean
// shutdown: goroutines stopped, every appended result committed, the
// outbox closed. Cancellation is not an error.
func (a *Agent) Run(ctx context.Context) (err error) {
	a.mu.Lock()
	if a.ran {
		a.mu.Unlock()
		return ErrAlreadyRun
	}
	a.ran = true
	a.mu.Unlock()
	defer a.models.close()
	var once sync.Once
	markListening := func() { once.Do(func() { close(a.listenUp) }) }
	defer markListening()

	box, err := a.openOutbox()
	if err != nil {
		return err
	}
	defer func() {
		if cerr := box.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("agent.Run: flushing the outbox: %w", cerr))
		}
		a.mu.Lock()
		a.box = nil
		a.mu.Unlock()
		a.log.Info("outbox flushed and closed", "results", a.results.Load())
	}()

	if a.mon != nil {
		if err := a.mon.open(); err != nil {
			return err
		}
		defer a.mon.close()
	}

	syncer, err := a.newSyncer(box)
	if err != nil {
		return fmt.Errorf("agent.Run: %w", err)
	}
	a.mu.Lock()
	a.syncer = syncer
	a.mu.Unlock()

	var srv *httpServer
	if a.cfg.HTTP.Enabled() {
		if srv, err = a.listen(); err != nil {
			return err
		}
	}
	markListening()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup // every goroutine below
	if srv != nil {
		wg.Go(func() { srv.run(runCtx, a.log) })
	}
	if a.ota != nil {
		wg.Go(func() { a.ota.run(runCtx) })
	}
	if syncer != nil {
		wg.Go(func() {
			if err := syncer.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("mqtt sync stopped", "err", err)
			}
		})
	}

	if a.mon != nil {
		wg.Go(func() { a.mon.run(runCtx) })
	}

	q := newQueue(a.cfg.Pipeline.QueueSize, a.cams)
	a.mu.Lock()
	a.q = q
	a.mu.Unlock()
	camErrs := make([]error, len(a.cams))
	var capWG sync.WaitGroup
	for i, c := range a.cams {
		capWG.Go(func() { camErrs[i] = c.capture(runCtx, q, a.cfg.Pipeline.StaleAfter.D()) })
	}
	wg.Go(func() {
		capWG.Wait()
		q.close()
	})

	var workWG sync.WaitGroup
	for i := range a.cfg.Pipeline.Workers {
		workWG.Go(func() { a.work(runCtx, stop, q, &workerModels{h: a.models, i: i}, box) })
	}
	a.log.Info("agent running", "cameras", len(a.cams), "workers", a.cfg.Pipeline.Workers, "data_dir", a.cfg.DataDir, "http", a.HTTPAddr())

	// Workers end when ctx ends, after MaxResults, or when every camera
	// has ended and the queue is drained.
	// Each worker returns after its appends have finished.
	workWG.Wait()
	if syncer != nil && runCtx.Err() == nil {
		// Every camera ended: deliver what is stored before stopping.
		a.waitDrained(runCtx, box)
	}
	stop()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	var failed []error
	for _, e := range camErrs {
		if e != nil {
			failed = append(failed, e)
		}
	}
	if len(failed) == len(a.cams) && len(failed) > 0 {
		return fmt.Errorf("agent.Run: %w: %w", ErrCamerasFailed, errors.Join(failed...))
	}
	return nil
}

func (a *Agent) openOutbox() (*outbox.Outbox, error) {
	dir := a.cfg.DataDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("agent.Run: data_dir %s cannot be created: %w (create it, writable by the agent's user, or set data_dir)", dir, err)
	}
	o := a.cfg.Outbox
	box, err := outbox.Open(filepath.Join(dir, OutboxFile), outbox.Options{
		Logger:         a.log.With("part", "outbox"),
		CommitInterval: o.CommitInterval.D(),
		CommitBatch:    o.CommitBatch,
		MaxBytes:       int64(o.MaxBytes),
		MaxRecords:     o.MaxRecords,
	})
	if err != nil {
		hint := ""
		if errors.Is(err, outbox.ErrNotWritable) {
			hint = " (make data_dir writable by the agent's user, or set data_dir)"
		}
		return nil, fmt.Errorf("agent.Run: data_dir %s: %w%s", dir, err, hint)
	}
	a.mu.Lock()
	a.box = box
	a.mu.Unlock()
	return box, nil
}

// waitDrained waits until the sync has delivered every stored result or
// ctx ends.
func (a *Agent) waitDrained(ctx context.Context, box *outbox.Outbox) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	logged := false
	for {
		n := box.Stats().Count
		if n == 0 {
			return
		}
		if !logged {
			a.log.Info("cameras ended; waiting for MQTT sync to deliver the stored results (SIGINT stops now, they stay in the outbox)", "records", n)
			logged = true
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// HTTPAddr returns the address the status server listens on, or "" when
// it is off or not listening yet.
func (a *Agent) HTTPAddr() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.httpAddr == nil {
		return ""
	}
	return a.httpAddr.String()
}

// WaitListening blocks until Run has bound the HTTP listener (or failed
// before it) and returns HTTPAddr.
func (a *Agent) WaitListening(ctx context.Context) (string, error) {
	select {
	case <-a.listenUp:
		return a.HTTPAddr(), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// outboxStats returns the outbox statistics, ok false while it is closed.
func (a *Agent) outboxStats() (outbox.Stats, bool) {
	a.mu.Lock()
	box := a.box
	a.mu.Unlock()
	if box == nil {
		return outbox.Stats{}, false
	}
	return box.Stats(), true
}

// queueLen returns the number of c's frames waiting for inference.
func (a *Agent) queueLen(c *cam) int {
	a.mu.Lock()
	q := a.q
	a.mu.Unlock()
	if q == nil {
		return 0
	}
	return q.len(c)
}

func (a *Agent) lastAppendError() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lastErr
}

// sameLabel compares a predicted label with a truth label, ignoring case
// and the difference between spaces and underscores.
func sameLabel(pred, truth string) bool {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", " ") }
	return norm(pred) == norm(truth)
}
