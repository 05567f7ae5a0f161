package fetch

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

// fileServer serves data like a static server: ETag, Last-Modified, Range
// and If-Range through http.ServeContent. It records the Range and If-Range
// headers of each request.
type fileServer struct {
	serverCfg
	mu       sync.Mutex
	data     []byte // guarded by mu
	etag     string // guarded by mu
	ranges   []string
	ifRange  []string
	requests atomic.Int32
}

// serverCfg selects a fileServer's misbehaviour.
type serverCfg struct {
	// cutFirst, when > 0, aborts the first response after that many body
	// bytes (the connection is dropped mid-body).
	cutFirst int
	// noRange answers every request with the whole file and status 200.
	noRange bool
	// failFirst answers the first failFirst requests with 503.
	failFirst int
	// hangFirst, when > 0, sends that many body bytes in the first
	// response and then nothing more until the client goes away.
	hangFirst int
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.requests.Add(1))
	s.mu.Lock()
	data, etag := s.data, s.etag
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	s.ifRange = append(s.ifRange, r.Header.Get("If-Range"))
	s.mu.Unlock()
	if n <= s.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if n == 1 && s.hangFirst > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data[:s.hangFirst])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		return
	}
	if n == 1 && s.cutFirst > 0 {
		w = &cutWriter{ResponseWriter: w, left: s.cutFirst}
	}
	if s.noRange {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
		return
	}
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "bundle.fovea", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), bytes.NewReader(data))
}

func (s *fileServer) replace(data []byte, etag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data, s.etag = data, etag
}

func (s *fileServer) headers() (ranges, ifRange []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ranges...), append([]string(nil), s.ifRange...)
}

// cutWriter passes left body bytes, then aborts the handler, which makes
// net/http drop the connection.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		c.ResponseWriter.Write(p[:c.left])
		c.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	c.left -= len(p)
	return c.ResponseWriter.Write(p)
}

// newHTTP returns a fetcher with fast retries for tests.
func newHTTP(t *testing.T, opts HTTPOptions) *HTTP {
	t.Helper()
	opts.RetryMin, opts.RetryMax = time.Millisecond, 5*time.Millisecond
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	if opts.Reserve == 0 {
		opts.Reserve = -1
	}
	h, err := NewHTTP(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHTTPFetch(t *testing.T) {
	data := testData(3_500_000, 1)
	tests := []struct {
		name      string
		server    serverCfg
		stall     time.Duration // StallTimeout; 0: the default minute
		wantReqs  int32
		wantRange []string // Range header of each request
	}{
		{name: "full", wantReqs: 1, wantRange: []string{""}},
		{name: "resume after cut", server: serverCfg{cutFirst: 1_000_000}, wantReqs: 2},
		// The resume asks for a range, gets the whole file with 200, and
		// starts over.
		{name: "server without range", server: serverCfg{cutFirst: 1_000_000, noRange: true}, wantReqs: 2},
		{name: "retry after 503", server: serverCfg{failFirst: 2}, wantReqs: 3},
		// The stall timeout ends the hung attempt; the next one resumes.
		{name: "server hangs mid-body", server: serverCfg{hangFirst: 500_000}, stall: 300 * time.Millisecond, wantReqs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fileServer{serverCfg: tt.server}
			s.replace(data, `"v1"`)
			srv := httptest.NewServer(s)
			defer srv.Close()
			dst := filepath.Join(t.TempDir(), "bundle.fovea")
			var p progressLog
			err := newHTTP(t, HTTPOptions{StallTimeout: tt.stall}).Fetch(context.Background(), Source{URL: srv.URL + "/b.fovea", Size: int64(len(data)), SHA256: sumHex(data)}, dst, p.fn)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			checkFile(t, dst, data)
			if p.done != int64(len(data)) || p.total != int64(len(data)) {
				t.Errorf("last progress = %d/%d; want %d/%d", p.done, p.total, len(data), len(data))
			}
			if got := s.requests.Load(); got != tt.wantReqs {
				t.Errorf("server saw %d requests; want %d", got, tt.wantReqs)
			}
			ranges, ifRange := s.headers()
			if tt.server.cutFirst > 0 && !tt.server.noRange {
				// The second request resumes where the cut left off, guarded
				// by the ETag.
				if !strings.HasPrefix(ranges[1], "bytes=") || ranges[1] == "bytes=0-" || ifRange[1] != `"v1"` {
					t.Errorf("resume request: Range %q If-Range %q; want bytes=N- with N > 0 and If-Range \"v1\"", ranges[1], ifRange[1])
				}
			}
			if tt.wantRange != nil && strings.Join(ranges, ",") != strings.Join(tt.wantRange, ",") {
				t.Errorf("Range headers = %q; want %q", ranges, tt.wantRange)
			}
		})
	}
}

// TestHTTPResumeAcrossCalls stops a download halfway (as a restart would)
// and checks the next Fetch asks only for the rest; then that a file
// changed on the server (new ETag) makes the download start over instead
// of splicing two files.
func TestHTTPResumeAcrossCalls(t *testing.T) {
	data := testData(2_000_000, 2)
	for _, changed := range []bool{false, true} {
		name := map[bool]string{false: "same file", true: "file changed"}[changed]
		t.Run(name, func(t *testing.T) {
			s := &fileServer{}
			s.replace(data, `"v1"`)
			srv := httptest.NewServer(s)
			defer srv.Close()
			dst := filepath.Join(t.TempDir(), "bundle.fovea")
			want := data
			ctx, cancel := context.WithCancel(context.Background())
			stop := func(done, total int64) {
				if done > total/2 {
					cancel()
				}
			}
			h := newHTTP(t, HTTPOptions{})
			src := Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(data)}
			if err := h.Fetch(ctx, src, dst, stop); !errors.Is(err, context.Canceled) {
				t.Fatalf("first Fetch = %v; want context.Canceled", err)
			}
			st, err := os.Stat(partialPath(dst))
			if err != nil || st.Size() == 0 || st.Size() == int64(len(data)) {
				t.Fatalf("partial file after cancel: %v, %v; want a prefix", st, err)
			}
			if changed {
				// The file at the URL is replaced while the deployment still
				// announces the old hash: If-Range "v1" no longer matches, the
				// server sends the whole new file, and its hash is refused.
				want = testData(len(data), 3)
				s.replace(want, `"v2"`)
				if err := h.Fetch(context.Background(), src, dst, nil); !errors.Is(err, ErrHashMismatch) {
					t.Fatalf("Fetch of a changed file under the old hash = %v; want ErrHashMismatch", err)
				}
				ranges, ifRange := s.headers()
				if !strings.HasPrefix(ranges[1], "bytes=") || ifRange[1] != `"v1"` {
					t.Errorf("Range %q If-Range %q; want a resume guarded by \"v1\"", ranges[1], ifRange[1])
				}
				if _, err := os.Stat(partialPath(dst)); !os.IsNotExist(err) {
					t.Errorf("partial file after hash mismatch: %v; want removed", err)
				}
				src.SHA256 = sumHex(want) // the corrected deployment
			}
			if err := h.Fetch(context.Background(), src, dst, nil); err != nil {
				t.Fatalf("second Fetch: %v", err)
			}
			checkFile(t, dst, want)
			ranges, _ := s.headers()
			if !changed && (ranges[1] == "" || ranges[1] == "bytes=0-") {
				t.Errorf("second Fetch sent Range %q; want a resume from the middle", ranges[1])
			}
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	data := testData(100_000, 4)
	s := &fileServer{}
	s.replace(data, `"e"`)
	mux := http.NewServeMux()
	mux.Handle("/b", s)
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "denied", http.StatusForbidden) })
	// /endless streams without a Content-Length and never stops by itself.
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			if _, err := w.Write(data); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	closed := closedPort(t)
	other := testData(len(data), 5)
	tests := []struct {
		name string
		src  Source
		opts HTTPOptions
		want error
		msg  string
	}{
		{"404", Source{URL: srv.URL + "/missing", Size: 1, SHA256: sumHex(data)}, HTTPOptions{}, ErrNotFound, "404"},
		{"403", Source{URL: srv.URL + "/broken", Size: 1, SHA256: sumHex(data)}, HTTPOptions{}, ErrHTTPStatus, "403"},
		{"size larger than announced", Source{URL: srv.URL + "/b", Size: int64(len(data)) - 1, SHA256: sumHex(data)}, HTTPOptions{}, ErrSizeMismatch, "announces 100000"},
		{"size smaller than announced", Source{URL: srv.URL + "/b", Size: int64(len(data)) + 1, SHA256: sumHex(data)}, HTTPOptions{}, ErrSizeMismatch, "announces 100000"},
		{"stream longer than announced", Source{URL: srv.URL + "/endless", Size: int64(len(data)), SHA256: sumHex(data)}, HTTPOptions{}, ErrSizeMismatch, "sent more than the announced 100000 bytes"},
		{"wrong hash", Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(other)}, HTTPOptions{}, ErrHashMismatch, sumHex(data)},
		{"unreachable", Source{URL: "http://" + closed + "/b", Size: 10, SHA256: sumHex(data)}, HTTPOptions{Retries: 2}, ErrUnreachable, "3 attempts"},
		{"disk full (injected statfs)", Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(data)},
			HTTPOptions{Reserve: 1000, FreeSpace: func(string) (int64, bool, error) { return 50_000, true, nil }}, ErrDiskSpace, "need 101000 bytes (100000 to download + 1000 reserve), 50000 free"},
		{"reserve larger than the real free space", Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(data)},
			HTTPOptions{Reserve: 1 << 61}, ErrDiskSpace, "to download"},
		{"bad source", Source{URL: "ftp://x/b", Size: 1, SHA256: sumHex(data)}, HTTPOptions{}, ErrSource, "http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "bundle.fovea")
			err := newHTTP(t, tt.opts).Fetch(context.Background(), tt.src, dst, nil)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Fetch = %v; want %v containing %q", err, tt.want, tt.msg)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed Fetch", dst)
			}
		})
	}
}

func TestHTTPTLS(t *testing.T) {
	data := testData(300_000, 6)
	s := &fileServer{}
	s.replace(data, `"t"`)
	srv := httptest.NewTLSServer(s)
	defer srv.Close()
	serverCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(serverCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	otherCA := mosquittotest.NewTLS(t, "device").CAFile
	src := Source{URL: srv.URL + "/b", Size: int64(len(data)), SHA256: sumHex(data)}
	tests := []struct {
		name   string
		caFile string
		want   error
		msg    string
	}{
		{"device CA signs the server", serverCA, nil, ""},
		{"another CA", otherCA, ErrUntrusted, "ota.ca_file"},
		{"system roots", "", ErrUntrusted, "system's CA roots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "bundle.fovea")
			before := s.requests.Load()
			err := newHTTP(t, HTTPOptions{CAFile: tt.caFile}).Fetch(context.Background(), src, dst, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				checkFile(t, dst, data)
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Fetch = %v; want %v containing %q", err, tt.want, tt.msg)
			}
			if n := s.requests.Load() - before; n != 0 {
				t.Errorf("server answered %d requests over an untrusted connection", n)
			}
		})
	}
	if _, err := NewHTTP(HTTPOptions{CAFile: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("NewHTTP with a missing CA file succeeded")
	}
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
