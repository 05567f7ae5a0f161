package agent

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/agent/config"
)

// screenshot, when set, makes TestLiveViewChromium also save its
// screenshot there (go test ./agent -run Chromium -screenshot $PWD/docs/web.png).
var screenshot = flag.String("screenshot", "", "save the live view's Chromium screenshot to this PNG file")

// demoModel is the committed shapes model, which needs no ../shared.
const demoModel = "../testdata/models/shapes.tflite"

// demoAgent returns an agent (not running) with the synthetic camera cam
// (a YAML list item) and the demo model; modelExtra holds more model:
// settings (default top_k: 3).
func demoAgent(t *testing.T, cam, modelExtra string) *Agent {
	t.Helper()
	if modelExtra == "" {
		modelExtra = "  top_k: 3"
	}
	if _, err := os.Stat(demoModel); err != nil {
		t.Skipf("skipping: the demo model %s is not in this checkout (make models): %v", demoModel, err)
	}
	y := fmt.Sprintf(`
version: 1
device_id: web-test
data_dir: %q
cameras:
%s
model:
  path: %q
%s
pipeline: {queue_size: 2, workers: 1}
http: {listen: "127.0.0.1:0"}
`, filepath.Join(t.TempDir(), "state"), cam, demoModel, modelExtra)
	cfg, err := config.Parse([]byte(y))
	if err != nil {
		t.Fatalf("config.Parse = %v\n%s", err, y)
	}
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return a
}

// request serves one request through a's handler from remote (a peer
// address) with the given Host header and extra request headers.
func request(a *Agent, path, remote, host string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = remote
	r.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, r)
	return w
}

func TestScaledSize(t *testing.T) {
	for name, tc := range map[string]struct{ w, h, wantW, wantH int }{
		"small unchanged":  {64, 64, 64, 64},
		"exactly 640":      {640, 480, 640, 480},
		"landscape 720p":   {1280, 720, 640, 360},
		"portrait":         {480, 1280, 240, 640},
		"wide strip":       {4000, 3, 640, 1},
		"tall square 1024": {1024, 1024, 640, 640},
	} {
		t.Run(name, func(t *testing.T) {
			if w, h := scaledSize(tc.w, tc.h, maxFrameSide); w != tc.wantW || h != tc.wantH {
				t.Errorf("scaledSize(%d, %d) = %d, %d; want %d, %d", tc.w, tc.h, w, h, tc.wantW, tc.wantH)
			}
		})
	}
}

// uniform returns a w×h image of one colour in the given representation.
func uniform(kind string, w, h int, c color.RGBA) image.Image {
	r := image.Rect(0, 0, w, h)
	switch kind {
	case "ycbcr":
		img := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
		y, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
		for i := range img.Y {
			img.Y[i] = y
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = cb, cr
		}
		return img
	case "gray":
		img := image.NewGray(r)
		for i := range img.Pix {
			img.Pix[i] = c.G
		}
		return img
	default:
		img := image.NewRGBA(r)
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
		}
		return img
	}
}

// centre returns the colour at the middle of img.
func centre(img image.Image) color.RGBA {
	b := img.Bounds()
	return color.RGBAModel.Convert(img.At((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2)).(color.RGBA)
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func TestEncodeFrame(t *testing.T) {
	orange := color.RGBA{230, 120, 30, 255}
	for name, tc := range map[string]struct {
		kind         string
		w, h         int
		wantW, wantH int
	}{
		"rgba small":    {"rgba", 64, 64, 64, 64},
		"rgba 720p":     {"rgba", 1280, 720, 640, 360},
		"ycbcr 800x600": {"ycbcr", 800, 600, 640, 480},
		"ycbcr 640x480": {"ycbcr", 640, 480, 640, 480},
		"gray portrait": {"gray", 300, 900, 213, 640},
		"rgba roi":      {"roi", 1000, 500, 640, 320},
	} {
		t.Run(name, func(t *testing.T) {
			src := uniform(tc.kind, tc.w, tc.h, orange)
			if tc.kind == "roi" { // a crop: bounds do not start at 0,0
				src = uniform("rgba", tc.w+300, tc.h+200, orange).(*image.RGBA).SubImage(image.Rect(300, 200, tc.w+300, tc.h+200))
			}
			data, err := encodeFrame(src)
			if err != nil {
				t.Fatalf("encodeFrame = %v", err)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("served bytes are not a JPEG: %v", err)
			}
			if got := img.Bounds().Size(); got != image.Pt(tc.wantW, tc.wantH) {
				t.Errorf("JPEG is %v; want %dx%d", got, tc.wantW, tc.wantH)
			}
			if got, want := centre(img), centre(src); !near(got, want, 8) {
				t.Errorf("JPEG centre = %v; want about %v", got, want)
			}
		})
	}
}

// TestWebRoutes checks the page, its assets, the privacy guard and the
// frame endpoint's answers before any frame, without running the agent.
func TestWebRoutes(t *testing.T) {
	a := demoAgent(t, `  - {id: cam-1, uri: "synthetic:seed=1"}`, "")
	const local, lan = "127.0.0.1:40000", "192.0.2.7:40000"
	for name, tc := range map[string]struct {
		path, remote, host string
		wantCode           int
		wantType           string
		wantBody           []string
	}{
		"page": {"/", local, "127.0.0.1:8080", 200, "text/html; charset=utf-8",
			[]string{`<script src="/web/app.js" defer></script>`, `<noscript>`, `<a href="/api/status">`}},
		"page on localhost":  {"/", local, "localhost:8080", 200, "text/html; charset=utf-8", []string{"Fovea live view"}},
		"page over IPv6":     {"/", "[::1]:40000", "[::1]:8080", 200, "text/html; charset=utf-8", []string{"Fovea live view"}},
		"script":             {"/web/app.js", local, "127.0.0.1", 200, "text/javascript; charset=utf-8", []string{"textContent", "/api/status"}},
		"style":              {"/web/style.css", local, "127.0.0.1", 200, "text/css; charset=utf-8", []string{".topk"}},
		"no other asset":     {"/web/index.html", local, "127.0.0.1", 404, "text/plain; charset=utf-8", []string{`no asset "index.html"`}},
		"page from the LAN":  {"/", lan, "192.0.2.1:8080", 403, "text/plain; charset=utf-8", []string{"not on loopback", "ssh -L"}},
		"frame from the LAN": {"/api/cameras/cam-1/frame.jpg", lan, "192.0.2.1:8080", 403, "text/plain; charset=utf-8", []string{"not on loopback"}},
		"rebound host name":  {"/", local, "attacker.example:8080", 403, "text/plain; charset=utf-8", []string{`"attacker.example"`}},
		"no frame yet": {"/api/cameras/cam-1/frame.jpg", local, "127.0.0.1", 404, "text/plain; charset=utf-8",
			[]string{`camera "cam-1" has no classified frame yet`}},
		"unknown camera": {"/api/cameras/nope/frame.jpg", local, "127.0.0.1", 404, "text/plain; charset=utf-8",
			[]string{`no camera "nope"; cameras: cam-1`}},
		"old index":     {"/index.txt", local, "127.0.0.1", 200, "text/plain; charset=utf-8", []string{"/api/status", "/api/cameras/{id}/frame.jpg"}},
		"status on LAN": {"/api/status", lan, "192.0.2.1:8080", 200, "application/json", []string{`"device": "web-test"`}},
	} {
		t.Run(name, func(t *testing.T) {
			w := request(a, tc.path, tc.remote, tc.host)
			body := w.Body.String()
			if w.Code != tc.wantCode || w.Header().Get("Content-Type") != tc.wantType {
				t.Fatalf("GET %s = %d %q; want %d %q\n%s", tc.path, w.Code, w.Header().Get("Content-Type"), tc.wantCode, tc.wantType, body)
			}
			for _, want := range tc.wantBody {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s: body lacks %q:\n%s", tc.path, want, body)
				}
			}
			if w.Code == 200 && tc.path == "/" {
				if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'none'") {
					t.Errorf("GET /: Content-Security-Policy = %q; want only same-origin scripts", csp)
				}
			}
		})
	}
}

// TestFrameEndpoint runs the agent until it has classified frames, then
// checks that the frame endpoint serves the latest one as a JPEG of its
// size, encodes it once per result, answers If-None-Match, and serves a
// large frame scaled down.
func TestFrameEndpoint(t *testing.T) {
	a := demoAgent(t, `  - {id: cam-1, uri: "synthetic:seed=3&size=96", fps: 50}`, "")
	c := a.cams[0]
	_, stop := started(t, a)
	waitFor(t, "2 results", func() bool { return a.Status().Results >= 2 })
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	latest := a.Status().Cameras[0].Latest
	c.mu.Lock()
	kept := c.frame
	c.mu.Unlock()
	if latest == nil || kept.img == nil || kept.seq != latest.OutboxSeq {
		t.Fatalf("kept frame seq %d (image %v); want the latest result's outbox seq %+v", kept.seq, kept.img != nil, latest)
	}

	const path, local, host = "/api/cameras/cam-1/frame.jpg", "127.0.0.1:40000", "127.0.0.1:8080"
	w := request(a, path, local, host)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET %s = %d %q; want 200 image/jpeg\n%s", path, w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	first := w.Body.Bytes()
	img, err := jpeg.Decode(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("GET %s: not a JPEG: %v", path, err)
	}
	if got := img.Bounds().Size(); got != image.Pt(96, 96) {
		t.Errorf("frame is %v; want the camera's 96x96", got)
	}
	if got, want := centre(img), centre(kept.img); !near(got, want, 24) {
		t.Errorf("frame centre = %v; the classified frame's is %v", got, want)
	}
	etag := fmt.Sprintf(`"%d"`, latest.OutboxSeq)
	if got := w.Header().Get("ETag"); got != etag {
		t.Errorf("ETag = %q; want %q (the latest result's outbox_seq)", got, etag)
	}

	// The same result: served from the cache, or not at all.
	if w := request(a, path, local, host); !bytes.Equal(w.Body.Bytes(), first) {
		t.Errorf("second GET served other bytes")
	}
	if w := request(a, path, local, host, "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("GET with If-None-Match %s = %d; want 304", etag, w.Code)
	}
	if n := c.jpeg.encodes.Load(); n != 1 {
		t.Errorf("%d JPEG encodings for 3 requests of one result; want 1", n)
	}

	// A new result with a large frame.
	c.mu.Lock()
	c.frame = latestFrame{img: uniform("rgba", 1920, 1080, color.RGBA{20, 200, 90, 255}), seq: kept.seq + 1}
	c.mu.Unlock()
	w = request(a, path, local, host, "If-None-Match", etag)
	if w.Code != 200 {
		t.Fatalf("GET after a new result = %d; want 200", w.Code)
	}
	img, err = jpeg.Decode(w.Body)
	if err != nil {
		t.Fatalf("GET after a new result: not a JPEG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(640, 360) {
		t.Errorf("1920x1080 frame served as %v; want 640x360", got)
	}
	if got := w.Header().Get("ETag"); got != fmt.Sprintf(`"%d"`, kept.seq+1) {
		t.Errorf("ETag after a new result = %q; want %q", got, fmt.Sprintf(`"%d"`, kept.seq+1))
	}
	if n := c.jpeg.encodes.Load(); n != 2 {
		t.Errorf("%d JPEG encodings after a second result; want 2", n)
	}
}

// chromium returns the path of a Chromium binary, skipping the test when
// there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("skipping: no chromium binary (apt-get install chromium) to run the live view in")
	return ""
}

// headless runs Chromium on url with extra flags and returns its stdout.
func headless(t *testing.T, bin, url string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(extra, " "), err, stderr.String())
	}
	return stdout.String()
}

// TestLiveViewChromium runs a real agent and loads its page in headless
// Chromium: the script must render the camera, the model and the latest
// result, point the frame <img> at the frame endpoint, and insert labels
// as text: the labels file here carries markup, which must come out
// escaped, never as elements.
func TestLiveViewChromium(t *testing.T) {
	bin := chromium(t)
	labels := filepath.Join(t.TempDir(), "labels.txt")
	// The shapes model's classes, in order, two of them with markup.
	if err := os.WriteFile(labels, []byte("empty\n<b>circle</b>\nsquare\ntriangle\n<img src=x>star\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := demoAgent(t, `  - {id: cam-1, uri: "synthetic:seed=1&size=128", fps: 20}`,
		fmt.Sprintf("  labels: %q\n  top_k: 5", labels))
	addr, _ := started(t, a)
	waitFor(t, "a result", func() bool { return a.Status().Results >= 1 })
	url := "http://" + addr + "/"

	// 5 s of page time (timers run ahead; requests are real): 5 polls.
	const budget = "--virtual-time-budget=5000"
	dom := headless(t, bin, url, budget, "--dump-dom")
	for _, want := range []string{
		"<h2>cam-1</h2>",                // the camera card
		a.ModelInfo().Name,              // the model panel
		"&lt;b&gt;circle&lt;/b&gt;",     // a label with markup, as text
		"&lt;img src=x&gt;star",         // and another
		">square<",                      // a plain label from the labels file
		"synthetic:seed=1&amp;size=128", // the camera URI, escaped
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	for _, bad := range []string{"<b>circle</b>", "<img src=\"x\">", "<img src=x>"} {
		if strings.Contains(dom, bad) {
			t.Errorf("rendered page contains the label markup %q as an element: labels must be inserted as text", bad)
		}
	}
	img := regexp.MustCompile(`<img [^>]*src="(/api/cameras/cam-1/frame\.jpg\?seq=\d+)"`).FindStringSubmatch(dom)
	if img == nil {
		t.Fatalf("rendered page has no <img> for the frame endpoint:\n%s", dom)
	}
	if code, body := get(t, "http://"+addr+img[1]); code != 200 || !strings.HasPrefix(body, "\xff\xd8") {
		t.Errorf("GET %s (the page's frame) = %d, %d bytes; want 200 and a JPEG", img[1], code, len(body))
	}

	// Without JavaScript the browser shows the page as served: it must
	// still lead to the status. (Chromium's --disable-javascript proved
	// unreliable in headless mode, so the served HTML is checked.)
	if code, page := get(t, url); code != 200 || !strings.Contains(page, `<a href="/api/status">JSON status</a>`) || strings.Contains(page, "<h2>cam-1</h2>") {
		t.Errorf("page without JavaScript (%d): want the link to /api/status and no rendered camera:\n%s", code, page)
	}

	shot := *screenshot
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "web.png")
	}
	headless(t, bin, url, budget, "--window-size=1280,900", "--hide-scrollbars", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1280 || cfg.Height != 900 {
		t.Errorf("screenshot %s: %dx%d, %v; want a 1280x900 PNG", shot, cfg.Width, cfg.Height, err)
	}
}

// BenchmarkEncodeFrame measures the lazy JPEG encoding of one frame (done
// at most once per result, only while someone watches the live view).
func BenchmarkEncodeFrame(b *testing.B) {
	for _, tc := range []struct {
		name string
		img  image.Image
	}{
		{"synthetic64", uniform("rgba", 64, 64, color.RGBA{200, 80, 40, 255})},
		{"vga640x480", uniform("rgba", 640, 480, color.RGBA{200, 80, 40, 255})},
		{"hd1280x720", uniform("rgba", 1280, 720, color.RGBA{200, 80, 40, 255})},
		{"hd1280x720ycbcr", uniform("ycbcr", 1280, 720, color.RGBA{200, 80, 40, 255})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := encodeFrame(tc.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
