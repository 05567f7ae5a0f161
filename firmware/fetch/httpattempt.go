package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// errStalled ends an attempt whose body delivered nothing for StallTimeout.
var errStalled = errors.New("no data received within the stall timeout")

// attempt makes one GET from offset have and appends what arrives to f. It
// returns the new length of f, and nil only when the file is complete.
// Errors that retrying cannot fix are wrapped in permanentError.
func (h *HTTP) attempt(ctx context.Context, src Source, f *os.File, have int64, meta *httpMeta, metaPath string, progress func(done, total int64)) (int64, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return have, permanent(fmt.Errorf("%w: %v", ErrSource, err))
	}
	req.Header.Set("User-Agent", h.opts.UserAgent)
	// Ask for the bytes as stored: a transparently decompressed body would
	// make offsets meaningless.
	req.Header.Set("Accept-Encoding", "identity")
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		if v := meta.validator(); v != "" {
			req.Header.Set("If-Range", v)
		}
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return have, classifyRequestError(err, h.opts.CAFile)
	}
	defer resp.Body.Close()

	switch c := resp.StatusCode; {
	case c == http.StatusOK:
		if resp.ContentLength >= 0 && resp.ContentLength != src.Size {
			return have, permanent(fmt.Errorf("%w: the server announces %d bytes, the deployment %d", ErrSizeMismatch, resp.ContentLength, src.Size))
		}
		if have > 0 {
			h.opts.Logger.Info("server sent the whole file instead of the range; starting over", "url", src.URL, "had", have)
			have = 0
			if err := f.Truncate(0); err != nil {
				return have, permanent(err)
			}
		}
	case c == http.StatusPartialContent:
		start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if total >= 0 && total != src.Size {
			return have, permanent(fmt.Errorf("%w: the server's file has %d bytes, the deployment announces %d", ErrSizeMismatch, total, src.Size))
		}
		if !ok || start != have {
			if err := f.Truncate(0); err != nil {
				return have, permanent(err)
			}
			return 0, fmt.Errorf("asked for bytes from %d, got Content-Range %q; starting over", have, resp.Header.Get("Content-Range"))
		}
	case c == http.StatusRequestedRangeNotSatisfiable:
		if err := f.Truncate(0); err != nil {
			return have, permanent(err)
		}
		return 0, fmt.Errorf("the server refused the range from byte %d (416); starting over", have)
	case c == http.StatusNotFound || c == http.StatusGone:
		return have, permanent(fmt.Errorf("%w: %s (check the deployment's URL)", ErrNotFound, resp.Status))
	case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
		return have, fmt.Errorf("%w: %s", ErrHTTPStatus, resp.Status)
	default:
		return have, permanent(fmt.Errorf("%w: %s", ErrHTTPStatus, resp.Status))
	}

	if meta.update(resp.Header) {
		if err := meta.save(metaPath); err != nil {
			return have, permanent(fmt.Errorf("save download state: %w", err))
		}
	}
	return h.copyBody(ctx, cancel, resp, src, f, have, progress)
}

// copyBody appends the response body to f at have, never past src.Size.
func (h *HTTP) copyBody(ctx context.Context, cancel context.CancelCauseFunc, resp *http.Response, src Source, f *os.File, have int64, progress func(done, total int64)) (int64, error) {
	stall := time.AfterFunc(h.opts.StallTimeout, func() { cancel(errStalled) })
	defer stall.Stop()
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return have, err
		}
		n, rerr := resp.Body.Read(buf)
		stall.Reset(h.opts.StallTimeout)
		if n > 0 {
			if have+int64(n) > src.Size {
				return have, permanent(fmt.Errorf("%w: the server sent more than the announced %d bytes", ErrSizeMismatch, src.Size))
			}
			if _, err := f.WriteAt(buf[:n], have); err != nil {
				return have, permanent(fmt.Errorf("write %s: %w", f.Name(), err))
			}
			have += int64(n)
			progress(have, src.Size)
		}
		switch {
		case rerr == io.EOF && have == src.Size:
			return have, nil
		case rerr == io.EOF && resp.StatusCode == http.StatusOK:
			return have, permanent(fmt.Errorf("%w: the server's file ended at %d bytes, the deployment announces %d", ErrSizeMismatch, have, src.Size))
		case rerr == io.EOF:
			return have, fmt.Errorf("the response ended at byte %d of %d", have, src.Size)
		case rerr != nil:
			if c := context.Cause(ctx); c != nil && ctx.Err() != nil {
				rerr = c
			}
			return have, fmt.Errorf("read body at byte %d of %d: %w", have, src.Size, rerr)
		}
	}
}

// parseContentRange reads "bytes START-END/TOTAL"; total is -1 for "*".
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, -1, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, -1, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || t < 0 {
			return 0, -1, false
		}
		total = t
	}
	s, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, total, false
	}
	start, err := strconv.ParseInt(s, 10, 64)
	if err != nil || start < 0 {
		return 0, total, false
	}
	return start, total, true
}

// classifyRequestError marks certificate failures as permanent, with a
// hint; everything else (refused, reset, timeouts, DNS) may pass.
func classifyRequestError(err error, caFile string) error {
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   *tls.CertificateVerificationError
		invalid   x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknownCA):
		where := "the system's CA roots"
		if caFile != "" {
			where = "ota.ca_file " + caFile
		}
		return permanent(fmt.Errorf("%w: the server's certificate is not signed by a CA in %s: %w", ErrUntrusted, where, err))
	case errors.As(err, &hostErr):
		return permanent(fmt.Errorf("%w: the certificate does not name this host: %w", ErrUntrusted, err))
	case errors.As(err, &invalid), errors.As(err, &certErr):
		return permanent(fmt.Errorf("%w: %w", ErrUntrusted, err))
	}
	return err
}
