package agent

import (
	"bytes"
	"embed"
	"fmt"
	"image"
	"image/jpeg"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/image/draw"
)

// The live view: GET / is a static page (agent/web) whose script polls
// /api/status and shows each camera's latest frame from
// /api/cameras/{id}/frame.jpg. Frames are kept as the decoded image the
// worker classified (no work on the hot path) and encoded to JPEG on the
// first request for each result, then served from a one-entry cache.

//go:embed web/index.html web/style.css web/app.js
var webFS embed.FS

const (
	// maxFrameSide bounds the served JPEG: larger frames are scaled down
	// to fit a maxFrameSide square.
	maxFrameSide = 640
	// frameQuality is the JPEG quality of served frames.
	frameQuality = 80
)

// webAssets are the files served under /web/, with their content types.
var webAssets = map[string]string{
	"style.css": "text/css; charset=utf-8",
	"app.js":    "text/javascript; charset=utf-8",
}

// pagePolicy lets the page load only its own script, style, images and
// status: no inline script, nothing from elsewhere, no framing.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// latestFrame is the frame behind a camera's latest result.
type latestFrame struct {
	img image.Image // nil until a result is durable; never modified
	seq uint64      // the result's outbox sequence
}

// frameCache holds the JPEG of one latestFrame, encoded on request.
type frameCache struct {
	mu   sync.Mutex
	seq  uint64 // guarded by mu; outbox sequence of data's frame
	data []byte // guarded by mu; nil until the first request

	encodes atomic.Uint64 // JPEG encodings done, for tests and curiosity
}

// get returns f encoded, encoding it only if the cache holds another
// frame. Concurrent requests for a new frame wait for one encoding.
func (fc *frameCache) get(f latestFrame) ([]byte, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.data != nil && fc.seq == f.seq {
		return fc.data, nil
	}
	data, err := encodeFrame(f.img)
	if err != nil {
		return nil, err
	}
	fc.encodes.Add(1)
	fc.seq, fc.data = f.seq, data
	return data, nil
}

// encodeFrame scales img down to fit maxFrameSide (never up) and encodes
// it as JPEG.
func encodeFrame(img image.Image) ([]byte, error) {
	b := img.Bounds()
	if w, h := scaledSize(b.Dx(), b.Dy(), maxFrameSide); w != b.Dx() || h != b.Dy() {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		img = dst
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: frameQuality}); err != nil {
		return nil, fmt.Errorf("agent.encodeFrame %dx%d: %w", b.Dx(), b.Dy(), err)
	}
	return buf.Bytes(), nil
}

// scaledSize returns w×h scaled down, keeping the aspect ratio, so that
// neither side exceeds limit; sizes that fit are returned unchanged.
func scaledSize(w, h, limit int) (int, int) {
	if w <= limit && h <= limit {
		return w, h
	}
	if w >= h {
		return limit, max(1, (h*limit+w/2)/w)
	}
	return max(1, (w*limit+h/2)/h), limit
}

// registerWeb adds the live view's routes to mux. Without http.auth they
// are served to this device only; with it, to every client that
// authenticates (the whole handler checks, httpauth.go).
func (a *Agent) registerWeb(mux *http.ServeMux) {
	only := localOnly
	if a.auth != nil {
		only = func(h http.HandlerFunc) http.HandlerFunc { return h }
	}
	mux.HandleFunc("GET /{$}", only(a.servePage))
	mux.HandleFunc("GET /web/{name}", only(serveAsset))
	mux.HandleFunc("GET /api/cameras/{id}/frame.jpg", only(a.serveFrame))
}

// localOnly serves h only to clients on this device: the peer must be a
// loopback address and the Host header a loopback name or an IP literal,
// so neither a listener opened beyond loopback (http.listen 0.0.0.0:…)
// nor a web page that rebinds its own domain name to 127.0.0.1 can see
// the cameras. It needs no configuration; remote viewing goes through an
// SSH tunnel, or http.auth.
func localOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if why := notLocal(r); why != "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "fovea: the live view and camera frames are served only on this device (%s).\n"+
				"From another machine, tunnel: ssh -L 8080:127.0.0.1:PORT user@device, then open http://127.0.0.1:8080/\n"+
				"Status without frames: /api/status, /metrics.\n", why)
			return
		}
		h(w, r)
	}
}

// notLocal returns why r does not come from this device, or "".
func notLocal(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !peer.Unmap().IsLoopback() {
		return fmt.Sprintf("client %s is not on loopback", host)
	}
	name := r.Host
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if _, err := netip.ParseAddr(name); err == nil || name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return ""
	}
	return fmt.Sprintf("host name %q is neither localhost nor an IP address", name)
}

// setPageHeaders sets the headers every live-view response carries.
func setPageHeaders(h http.Header, contentType string) {
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

func (a *Agent) servePage(w http.ResponseWriter, r *http.Request) {
	page, err := webFS.ReadFile("web/index.html")
	if err != nil { // cannot happen: embedded at build time
		http.Error(w, "fovea: page missing from this build: "+err.Error(), http.StatusInternalServerError)
		return
	}
	setPageHeaders(w.Header(), "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", pagePolicy)
	w.Header().Set("X-Frame-Options", "DENY")
	w.Write(page)
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctype, ok := webAssets[name]
	if !ok {
		http.Error(w, fmt.Sprintf("fovea: no asset %q", name), http.StatusNotFound)
		return
	}
	data, err := webFS.ReadFile("web/" + name)
	if err != nil {
		http.Error(w, "fovea: asset missing from this build: "+err.Error(), http.StatusInternalServerError)
		return
	}
	setPageHeaders(w.Header(), ctype)
	w.Write(data)
}

// serveFrame answers the JPEG of the camera's latest classified frame.
// The ETag is the result's outbox sequence, which /api/status shows as
// cameras[].latest.outbox_seq.
func (a *Agent) serveFrame(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c := a.camByID(id)
	if c == nil {
		ids := make([]string, len(a.cams))
		for i, c := range a.cams {
			ids[i] = c.cfg.ID
		}
		http.Error(w, fmt.Sprintf("fovea: no camera %q; cameras: %s", id, strings.Join(ids, ", ")), http.StatusNotFound)
		return
	}
	c.mu.Lock()
	f := c.frame
	c.mu.Unlock()
	if f.img == nil {
		http.Error(w, fmt.Sprintf("fovea: camera %q has no classified frame yet; try again in a second", id), http.StatusNotFound)
		return
	}
	data, err := c.jpeg.get(f)
	if err != nil {
		a.log.Warn("encoding frame for the live view", "camera", id, "err", err)
		http.Error(w, "fovea: "+err.Error(), http.StatusInternalServerError)
		return
	}
	setPageHeaders(w.Header(), "image/jpeg")
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, f.seq))
	w.Header().Set("X-Fovea-Outbox-Seq", fmt.Sprint(f.seq))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// camByID returns the camera with id, or nil.
func (a *Agent) camByID(id string) *cam {
	for _, c := range a.cams {
		if c.cfg.ID == id {
			return c
		}
	}
	return nil
}
