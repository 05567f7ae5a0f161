package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// HTTPOptions configure an HTTP fetcher. Zero values take the defaults
// named on each field.
type HTTPOptions struct {
	// CAFile is a PEM bundle of the CAs that may sign the server's
	// certificate (the device's CA). Empty: the system's roots.
	CAFile string
	// Retries is how many attempts in a row may fail without receiving a
	// byte before Fetch gives up with ErrUnreachable (default 5). An
	// attempt that made progress starts the count again.
	Retries int
	// RetryMin and RetryMax bound the jittered back-off between attempts
	// (defaults 1s and 60s).
	RetryMin, RetryMax time.Duration
	// StallTimeout ends an attempt that receives nothing for this long
	// (default 60s); the next attempt resumes.
	StallTimeout time.Duration
	// Reserve is the free space left on the file system after the download
	// (default DefaultReserve; negative: none).
	Reserve int64
	// FreeSpace reports free space (default FreeSpace, statfs).
	FreeSpace FreeSpaceFunc
	// UserAgent is sent with each request (default "fovea-ota").
	UserAgent string
	Logger    *slog.Logger
}

// HTTP fetches bundles from HTTP(S) servers. It is safe for concurrent use
// on different destinations.
type HTTP struct {
	client *http.Client
	opts   HTTPOptions
}

// NewHTTP returns an HTTP fetcher. It fails when CAFile cannot be read or
// holds no certificate.
func NewHTTP(opts HTTPOptions) (*HTTP, error) {
	if opts.Retries <= 0 {
		opts.Retries = 5
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Minute
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = time.Minute
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
	if opts.UserAgent == "" {
		opts.UserAgent = "fovea-ota"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("fetch.NewHTTP: read ota.ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fetch.NewHTTP: ota.ca_file %s holds no PEM certificate", opts.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	tr.ResponseHeaderTimeout = opts.StallTimeout
	return &HTTP{client: &http.Client{Transport: tr}, opts: opts}, nil
}

// Fetch downloads src.URL to dst (see Fetcher). A dst+".partial" left by an
// earlier call is resumed when the server supports Range requests and the
// file did not change (If-Range); otherwise the download starts over.
func (h *HTTP) Fetch(ctx context.Context, src Source, dst string, progress func(done, total int64)) error {
	if err := src.Validate(); err != nil {
		return fmt.Errorf("fetch.HTTP.Fetch: %w", err)
	}
	if s := src.Scheme(); s != "http" && s != "https" {
		return fmt.Errorf("fetch.HTTP.Fetch: %w: %s: scheme must be http or https", ErrSource, src)
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	if err := h.fetch(ctx, src, dst, progress); err != nil {
		return fmt.Errorf("fetch.HTTP.Fetch %s: %w", src.URL, err)
	}
	return nil
}

func (h *HTTP) fetch(ctx context.Context, src Source, dst string, progress func(done, total int64)) error {
	part := partialPath(dst)
	metaPath := part + ".meta"
	meta := loadHTTPMeta(metaPath)
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	have := st.Size()
	if meta.URL != src.URL || meta.SHA256 != src.SHA256 || have > src.Size {
		// Not a prefix of this file (or of unknown origin): start over.
		if err := f.Truncate(0); err != nil {
			f.Close()
			return err
		}
		have = 0
		meta = httpMeta{URL: src.URL, SHA256: src.SHA256}
	}
	if err := checkSpace(h.opts.FreeSpace, dst, src.Size-have, h.opts.Reserve); err != nil {
		f.Close()
		return err
	}
	if have > 0 {
		h.opts.Logger.Info("resuming download", "url", src.URL, "have", have, "size", src.Size)
	}
	progress(have, src.Size)
	bo := backoff.New(h.opts.RetryMin, h.opts.RetryMax, 0.2)
	for failures := 0; have < src.Size; {
		before := have
		have, err = h.attempt(ctx, src, f, have, &meta, metaPath, progress)
		if err == nil {
			continue
		}
		var perm *permanentError
		switch {
		case ctx.Err() != nil:
			f.Close()
			return ctx.Err()
		case errors.As(err, &perm):
			f.Close()
			return perm.err
		}
		if have > before {
			failures = 0
			bo.Reset()
		}
		failures++
		if failures > h.opts.Retries {
			f.Close()
			return fmt.Errorf("%w: %d attempts in a row failed, the last: %w", ErrUnreachable, failures, err)
		}
		h.opts.Logger.Warn("download attempt failed; retrying", "url", src.URL, "have", have, "size", src.Size, "err", err)
		if err := bo.Wait(ctx); err != nil {
			f.Close()
			return err
		}
	}
	return finish(f, src, dst, metaPath)
}

// permanentError marks an attempt's error as one that retrying cannot fix.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return &permanentError{err: err} }
