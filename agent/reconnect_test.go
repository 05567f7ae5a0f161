package agent

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
)

// TestCameraReconnects serves an MJPEG stream on loopback that ends after
// three frames on every connection, like a flaky IP camera: the agent
// reconnects, keeps classifying, and counts the reconnects in its metrics
// and status.
func TestCameraReconnects(t *testing.T) {
	var frame bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	if err := jpeg.Encode(&frame, img, nil); err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Add(1)
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
		for range 3 {
			fmt.Fprintf(w, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", frame.Len())
			w.Write(frame.Bytes())
			fmt.Fprint(w, "\r\n")
			w.(http.Flusher).Flush()
		}
		// Returning drops the connection mid-stream.
	}))
	defer srv.Close()

	cfg := testConfig(t, `  - {id: ipcam, uri: "mjpeg:`+srv.URL+`/stream"}`, "")
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := started(t, a)
	waitFor(t, "results over three connections", func() bool { return a.Status().Cameras[0].Results >= 7 && conns.Load() >= 3 })

	_, metrics := get(t, "http://"+addr+"/metrics")
	m := regexp.MustCompile(`fovea_camera_reconnects_total\{camera="ipcam"\} (\d+)`).FindStringSubmatch(metrics)
	if m == nil {
		t.Fatalf("/metrics lacks fovea_camera_reconnects_total for ipcam")
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 {
		t.Errorf("fovea_camera_reconnects_total = %d after %d connections; want at least 1", n, conns.Load())
	}
	if st := a.Status().Cameras[0]; st.Reconnects < 1 || st.State == stateFailed {
		t.Errorf("camera status = %+v; want reconnects counted and the camera not failed", st)
	}
	if err := stop(); err != nil {
		t.Errorf("Run = %v", err)
	}
}
