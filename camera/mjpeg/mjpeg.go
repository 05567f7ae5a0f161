// Package mjpeg is the mjpeg: camera source, a pure-Go client for the
// multipart/x-mixed-replace MJPEG streams that IP cameras, motion and
// mjpg-streamer serve over HTTP.
//
// URI: mjpeg:http://host:port/path (or https://). The stream is opened at
// Open; when it is lost (connection reset, server restart, no data for
// Options.Timeout) the next Next reconnects with capped, jittered
// exponential back-off. Parts that are not decodable JPEGs are skipped and
// counted. With Options.FPS set, parts that arrive before their slot are
// dropped before decoding, so a 30 fps camera capped at 5 fps costs five
// JPEG decodes a second, not thirty.
package mjpeg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

func init() {
	camera.Register("mjpeg", Open)
	camera.RegisterChecker("mjpeg", func(rest string) error { _, err := parseURL(rest); return err })
}

// maxBadParts is how many undecodable parts in a row end a connection:
// a stream of nothing but garbage is reconnected rather than read forever.
const maxBadParts = 25

var (
	// ErrNotMJPEG: the server answered, but not with a multipart stream.
	ErrNotMJPEG = errors.New("not an MJPEG (multipart/x-mixed-replace) stream")
	// ErrStalled: the stream sent nothing for Options.Timeout.
	ErrStalled = errors.New("mjpeg stream stalled")
	// ErrGarbage: too many parts in a row were not decodable JPEGs.
	ErrGarbage = errors.New("mjpeg stream sends no decodable JPEG")
)

// client holds what every connection to one stream shares.
type client struct {
	url     string
	hc      *http.Client
	timeout time.Duration
	maxPart int
	gate    *camera.Gate // owned by the Next caller
	log     *slog.Logger
}

// Open connects to the stream at rest (an http:// or https:// URL).
func Open(ctx context.Context, rest string, opts camera.Options) (camera.Source, error) {
	return open(ctx, rest, opts, DefaultMaxPart)
}

func open(ctx context.Context, rest string, opts camera.Options, maxPart int) (camera.Source, error) {
	u, err := parseURL(rest)
	if err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	c := &client{
		url:     rest,
		timeout: opts.Timeout,
		maxPart: maxPart,
		gate:    camera.NewGate(opts.FPS),
		log:     opts.Logger.With("camera", "mjpeg:"+redact(u)),
		hc: &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   opts.Timeout,
			ResponseHeaderTimeout: opts.Timeout,
			MaxIdleConns:          1,
			DisableCompression:    true,
		}},
	}
	src, err := camera.NewReconnecting(ctx, "mjpeg:"+redact(u), c.dial, opts)
	if err != nil {
		c.hc.CloseIdleConnections()
		return nil, fmt.Errorf("mjpeg.Open: %w", err)
	}
	opts.FPS = 0 // the client drops early parts before decoding them
	return camera.Apply(&closer{src, c.hc}, opts), nil
}

// closer also releases the HTTP transport's idle connections.
type closer struct {
	*camera.Reconnecting
	hc *http.Client
}

func (c *closer) Close() error {
	err := c.Reconnecting.Close()
	c.hc.CloseIdleConnections()
	return err
}

// redact hides a password in the URL for logs.
func redact(u *url.URL) string { return u.Redacted() }

// dial opens one HTTP response and checks that it is a multipart stream.
func (c *client) dial(ctx context.Context) (camera.Source, error) {
	connCtx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, cancel) // abandon the connect if ctx ends
	defer stop()
	req, err := http.NewRequestWithContext(connCtx, http.MethodGet, c.url, nil)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("mjpeg: %w: %w", err, camera.ErrPermanent)
	}
	req.Header.Set("Accept", "multipart/x-mixed-replace, image/jpeg")
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("mjpeg: cannot connect: %w", err)
	}
	fail := func(err error) (camera.Source, error) {
		resp.Body.Close()
		cancel()
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fail(fmt.Errorf("mjpeg: server says %s; put credentials in the URL (http://user:pass@host/…) or fix the camera's access settings: %w", resp.Status, camera.ErrPermanent))
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return fail(fmt.Errorf("mjpeg: server says %s; check the stream path (mjpg-streamer: /?action=stream): %w", resp.Status, camera.ErrPermanent))
	case resp.StatusCode != http.StatusOK:
		return fail(fmt.Errorf("mjpeg: server says %s", resp.Status))
	}
	ct := resp.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return fail(fmt.Errorf("mjpeg: Content-Type %q: %w; is the URL the stream itself, not a snapshot or web page?: %w", ct, ErrNotMJPEG, camera.ErrPermanent))
	}
	cn := &conn{client: c, cancel: cancel}
	cn.idle = time.AfterFunc(time.Hour, func() { cn.stalled.Store(true); cancel() })
	cn.idle.Stop()
	cn.r = NewReader(&idleReader{r: resp.Body, t: cn.idle, d: c.timeout}, params["boundary"], c.maxPart)
	cn.body = resp.Body
	return cn, nil
}

// parseURL checks that rest is an http:// or https:// URL with a host.
func parseURL(rest string) (*url.URL, error) {
	u, err := url.Parse(rest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mjpeg: %q is not an http:// or https:// URL; write e.g. mjpeg:http://192.168.1.20:8080/?action=stream: %w", rest, camera.ErrPermanent)
	}
	return u, nil
}
