package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpServer serves /healthz, /readyz, /metrics, /api/status and the
// live view (web.go).
type httpServer struct {
	ln  net.Listener
	srv *http.Server
}

func (a *Agent) listen() (*httpServer, error) {
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("agent.Run: http.listen %s: %w (is another agent running? choose another port, or \"off\")", a.cfg.HTTP.Listen, err)
	}
	tln, err := serveTLS(ln, a.cfg.HTTP.TLS)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("agent.Run: %w", err)
	}
	ln = tln
	a.mu.Lock()
	a.httpAddr = ln.Addr()
	a.mu.Unlock()
	return &httpServer{ln: ln, srv: &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
	}}, nil
}

// run serves until ctx ends, then shuts the server down gracefully.
func (s *httpServer) run(ctx context.Context, log *slog.Logger) {
	done := make(chan error, 1)
	go func() { done <- s.srv.Serve(s.ln) }()
	select {
	case err := <-done:
		log.Error("http server stopped", "err", err)
		return
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http server", "err", err)
	}
}

// Handler returns the status server's handler.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.serveHealthz)
	mux.HandleFunc("GET /readyz", a.serveReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}))
	mux.HandleFunc("GET /api/status", a.serveStatus)
	mux.HandleFunc("GET /index.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "fovea %s on %s\n\n/            live view: frames and results (this device only)\n/healthz     liveness\n/readyz      readiness (model, cameras, outbox)\n/metrics     Prometheus metrics\n/api/status  JSON status, latest results, accuracy\n/api/cameras/{id}/frame.jpg  latest classified frame (this device only)\n", Version, a.cfg.DeviceID)
	})
	a.registerWeb(mux) // GET /, /web/…, /api/cameras/{id}/frame.jpg (web.go)
	if a.mon != nil {
		mux.HandleFunc("POST /api/feedback", localOnly(a.mon.serveFeedback)) // monitor_feedback.go
		mux.HandleFunc("GET /api/monitor", a.mon.serveMonitor)
		mux.HandleFunc("GET /api/monitor/history", a.mon.serveHistory)                     // monitor_history.go
		mux.HandleFunc("GET /api/samples", localOnly(a.mon.serveSamples))                  // monitor_samples.go
		mux.HandleFunc("GET /api/samples/{camera}/{seq}", localOnly(a.mon.serveSamplePNG)) // {seq} = "<n>.png"
	}
	if a.auth != nil {
		return a.auth.wrap(mux)
	}
	return mux
}

// serveHealthz answers 200 while the process serves requests: liveness,
// not readiness (a camera being away must not get the agent restarted).
func (a *Agent) serveHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// serveReadyz answers 200 when the model is loaded, every camera is fresh
// and the outbox is writable; otherwise 503 listing each problem.
func (a *Agent) serveReadyz(w http.ResponseWriter, r *http.Request) {
	problems := a.readiness()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, p := range problems {
			fmt.Fprintln(w, p)
		}
		return
	}
	fmt.Fprintln(w, "ready")
}

func (a *Agent) serveStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(a.Status()); err != nil {
		a.log.Debug("writing status", "err", err)
	}
}
