package mjpeg

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

// fast reconnects for tests on loopback.
var testOpts = camera.Options{ReconnectMin: 5 * time.Millisecond, ReconnectMax: 20 * time.Millisecond, Timeout: 2 * time.Second}

// readFrames reads n frames, failing on a permanent error, and returns
// them with the number of transient errors seen.
func readFrames(t *testing.T, src camera.Source, n int) ([]camera.Frame, int) {
	t.Helper()
	var out []camera.Frame
	errs := 0
	for len(out) < n {
		f, err := src.Next(t.Context())
		if err != nil {
			if errors.Is(err, camera.ErrPermanent) || errs > 50 {
				t.Fatalf("Next after %d frames, %d errors = %v", len(out), errs, err)
			}
			errs++
			continue
		}
		out = append(out, f)
	}
	return out, errs
}

// checkFrames checks Seq 1.. and that frame k shows palette(first+k).
func checkFrames(t *testing.T, frames []camera.Frame, first int) {
	t.Helper()
	for k, f := range frames {
		if f.Seq != uint64(k+1) {
			t.Errorf("frame %d Seq = %d; want %d", k, f.Seq, k+1)
		}
		if got, want := meanColour(f.Image), palette(first+k); !near(got, want, 6) {
			t.Errorf("frame %d mean colour = %v; want %v (frame %d of the stream)", k, got, want, first+k)
		}
		if f.Wall.IsZero() || f.Mono <= 0 {
			t.Errorf("frame %d lacks timestamps", k)
		}
	}
}

func TestStreamStyles(t *testing.T) {
	tests := []struct {
		name string
		s    style
	}{
		{"content-length", plain},
		{"scan for boundary", style{param: "frame", delim: "--frame", nl: "\r\n", partType: "image/jpeg"}},
		{"boundary param with dashes (mjpg-streamer)", style{param: "--boundarydonotcross", delim: "--boundarydonotcross", nl: "\r\n", contentLength: true, partType: "image/jpeg"}},
		{"RFC form of a dashed param", style{param: "--myb", delim: "----myb", nl: "\r\n", partType: "image/jpeg"}},
		{"LF line endings", style{param: "x", delim: "--x", nl: "\n", partType: "image/jpeg"}},
		{"no part content type", style{param: "frame", delim: "--frame", nl: "\r\n", contentLength: true}},
		{"quoted boundary and preamble", style{param: `"a b"`, delim: "--a b", nl: "\r\n", contentLength: true, partType: "image/jpeg", preamble: "hello camera\r\n\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.s.stream(t, 0, 5)
			srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
				writeStream(w, tt.s, body)
				<-gone // keep the stream open: a live camera
			})
			src, err := camera.Open(t.Context(), "mjpeg:"+srv.URL+"/stream", testOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			frames, errs := readFrames(t, src, 5)
			if errs != 0 {
				t.Errorf("%d errors reading a healthy stream", errs)
			}
			checkFrames(t, frames, 0)
		})
	}
}

// TestReconnectAfterDrop serves three frames and half a fourth, then cuts
// the connection; the client must reconnect and keep going.
func TestReconnectAfterDrop(t *testing.T) {
	tests := []struct {
		name string
		s    style
	}{
		{"content-length", plain},
		{"scanning", style{param: "frame", delim: "--frame", nl: "\r\n", partType: "image/jpeg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
				if conn == 0 {
					full := tt.s.stream(t, 0, 3)
					half := jpegFrame(t, palette(3))
					writeStream(w, tt.s, append(full, []byte(tt.s.delim+"\r\nContent-Type: image/jpeg\r\n\r\n")...))
					w.Write(half[:len(half)/2])
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler) // drop the connection mid-frame
				}
				writeStream(w, tt.s, tt.s.stream(t, 3, 5))
				<-gone
			})
			src, err := camera.Open(t.Context(), "mjpeg:"+srv.URL, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			frames, errs := readFrames(t, src, 8)
			checkFrames(t, frames, 0)
			st := camera.StatsOf(src)
			if st.Reconnects != 1 || errs != 1 || st.Frames != 8 {
				t.Errorf("stats %+v, %d errors; want 8 frames, 1 reconnect, 1 error", st, errs)
			}
		})
	}
}

// TestServerRestart: the camera goes away (connection refused) for a
// while; the client keeps retrying with back-off and resumes.
func TestServerRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	serve := func(ln net.Listener, first int) *http.Server {
		hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeStream(w, plain, plain.stream(t, first, 2))
		})}
		go hs.Serve(ln)
		return hs
	}
	hs := serve(ln, 0)
	src, err := camera.Open(t.Context(), "mjpeg:http://"+addr+"/", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, _ := readFrames(t, src, 2)
	hs.Close() // camera gone
	var refused int
	for range 3 {
		if _, err := src.Next(t.Context()); err != nil && !errors.Is(err, camera.ErrPermanent) {
			refused++
		}
	}
	if refused != 3 {
		t.Fatalf("got %d transient errors while the server was down; want 3", refused)
	}
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	hs2 := serve(ln2, 2)
	defer hs2.Close()
	more, _ := readFrames(t, src, 2)
	frames = append(frames, more...)
	checkFrames(t, frames, 0)
	if st := camera.StatsOf(src); st.Reconnects != 1 || st.Errors < 3 {
		t.Errorf("Stats = %+v; want 1 reconnect and at least 3 errors", st)
	}
}

func TestGarbage(t *testing.T) {
	junk := []byte(strings.Repeat("\x00garbage\xff\r\n", 2000))
	tests := []struct {
		name    string
		serve   func(w http.ResponseWriter)
		wantErr error
	}{
		{"bytes without boundary", func(w http.ResponseWriter) { writeStream(w, plain, junk) }, ErrNoBoundary},
		{"parts that are not JPEG", func(w http.ResponseWriter) {
			var b []byte
			for range 2 * maxBadParts {
				b = append(b, "--frame\r\nContent-Type: image/jpeg\r\n\r\nnot a jpeg\r\n"...)
			}
			writeStream(w, plain, b)
		}, ErrGarbage},
		{"parts of another type", func(w http.ResponseWriter) {
			var b []byte
			for range 2 * maxBadParts {
				b = append(b, "--frame\r\nContent-Type: text/plain\r\n\r\nhello\r\n"...)
			}
			writeStream(w, plain, b)
		}, ErrGarbage},
		{"oversized part", func(w http.ResponseWriter) {
			writeStream(w, plain, []byte("--frame\r\nContent-Length: 99999999\r\n\r\n"))
		}, ErrPartTooLarge},
		{"bad header", func(w http.ResponseWriter) {
			writeStream(w, plain, []byte("--frame\r\nno colon here\r\n\r\n"))
		}, ErrBadHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
				tt.serve(w)
				<-gone
			})
			src, err := open(t.Context(), srv.URL, testOpts, 4096)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			_, err = src.Next(t.Context())
			if !errors.Is(err, tt.wantErr) || errors.Is(err, camera.ErrPermanent) {
				t.Errorf("Next = %v; want a transient error wrapping %v", err, tt.wantErr)
			}
		})
	}
}

// TestSkipsBadParts: corrupt parts among good ones are skipped and
// counted; the good frames come through.
func TestSkipsBadParts(t *testing.T) {
	var b []byte
	good := plain.stream(t, 0, 1)
	b = append(b, good...)
	b = append(b, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n\r\nJUNK!\r\n"...)
	b = append(b, plain.stream(t, 1, 1)...)
	srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
		writeStream(w, plain, b)
		<-gone
	})
	src, err := camera.Open(t.Context(), "mjpeg:"+srv.URL, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, errs := readFrames(t, src, 2)
	checkFrames(t, frames, 0)
	if st := camera.StatsOf(src); st.Skipped != 1 || errs != 0 {
		t.Errorf("Stats = %+v, %d errors; want 1 skipped, no error", st, errs)
	}
}

func TestStall(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
		writeStream(w, plain, plain.stream(t, 0, 1))
		<-gone // then nothing
	})
	opts := testOpts
	opts.Timeout = 200 * time.Millisecond
	src, err := camera.Open(t.Context(), "mjpeg:"+srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Next(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(t.Context()); !errors.Is(err, ErrStalled) {
		t.Errorf("Next on a silent stream = %v; want ErrStalled", err)
	}
}

func TestFPSDropsBeforeDecoding(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
		if conn == 0 {
			writeStream(w, plain, plain.stream(t, 0, 6))
		}
	})
	opts := testOpts
	opts.FPS = 0.001 // one frame, then a slot 1000s away
	src, err := camera.Open(t.Context(), "mjpeg:"+srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Next(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Next(t.Context()); !errors.Is(err, ErrStreamEnded) {
		t.Fatalf("Next = %v; want the end of the stream after dropping", err)
	}
	if st := camera.StatsOf(src); st.Frames != 1 || st.Dropped != 5 {
		t.Errorf("Stats = %+v; want 1 frame, 5 dropped", st)
	}
}

func TestOpenErrors(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, conn int, gone <-chan struct{}) {
		switch conn {
		case 0:
			http.NotFound(w, nil)
		case 1:
			w.WriteHeader(http.StatusUnauthorized)
		case 2:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>camera UI</html>")
		default:
			w.Header().Set("Content-Type", "multipart/x-mixed-replace") // no boundary
		}
	})
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()
	tests := []struct {
		name, uri string
		permanent bool
		want      string
	}{
		{"404", "mjpeg:" + srv.URL, true, "404"},
		{"401", "mjpeg:" + srv.URL, true, "credentials"},
		{"web page", "mjpeg:" + srv.URL, true, "text/html"},
		{"no boundary", "mjpeg:" + srv.URL, true, "multipart/x-mixed-replace"},
		{"not a URL", "mjpeg:/dev/video0", true, "not an http"},
		{"rtsp", "mjpeg:rtsp://127.0.0.1/x", true, "not an http"},
		{"refused", "mjpeg:http://" + deadAddr + "/", false, "cannot connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := camera.Open(t.Context(), tt.uri, testOpts)
			if err == nil {
				src.Close()
				t.Fatalf("Open(%q) succeeded; want an error", tt.uri)
			}
			if errors.Is(err, camera.ErrPermanent) != tt.permanent || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v; want permanent=%v mentioning %q", tt.uri, err, tt.permanent, tt.want)
			}
		})
	}
}
