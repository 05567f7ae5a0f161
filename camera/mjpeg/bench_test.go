package mjpeg

import (
	"bytes"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

// vgaJPEG is a 640×480 JPEG with some texture, about the size a camera
// sends.
func vgaJPEG(b *testing.B) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = uint8(i*13 ^ i>>7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReader measures the multipart parser alone, with and without
// Content-Length, in bytes of stream per second.
func BenchmarkReader(b *testing.B) {
	frame := vgaJPEG(b)
	for _, s := range []struct {
		name string
		st   style
	}{{"content-length", plain}, {"scan", style{param: "frame", delim: "--frame", nl: "\r\n", partType: "image/jpeg"}}} {
		b.Run(s.name, func(b *testing.B) {
			var stream bytes.Buffer
			for range 16 {
				s.st.part(&stream, frame)
			}
			data := stream.Bytes()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				r := NewReader(bytes.NewReader(data), "frame", 0)
				for {
					if _, err := r.NextPart(); err != nil {
						break
					}
				}
			}
		})
	}
}

// BenchmarkClient measures whole frames through the mjpeg: source from a
// loopback server that streams as fast as it can: parse + JPEG decode.
func BenchmarkClient(b *testing.B) {
	frame := vgaJPEG(b)
	var part bytes.Buffer
	plain.part(&part, frame)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
		for r.Context().Err() == nil {
			if _, err := w.Write(part.Bytes()); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	src, err := camera.Open(b.Context(), "mjpeg:"+srv.URL, camera.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	b.SetBytes(int64(len(frame)))
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := src.Next(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	// includes the server's CPU time: an upper bound for the client
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user+system CPU time, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
