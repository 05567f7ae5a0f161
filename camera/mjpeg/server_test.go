package mjpeg

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// palette gives frame i of a test stream its solid colour.
func palette(i int) color.RGBA {
	return color.RGBA{uint8(40 * (i % 6)), uint8(255 - 30*(i%8)), uint8(90 + 50*(i%3)), 255}
}

// jpegFrame encodes a 32×24 picture of colour c.
func jpegFrame(t testing.TB, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []uint8{c.R, c.G, c.B, 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// meanColour averages an image's pixels.
func meanColour(img image.Image) color.RGBA {
	b := img.Bounds()
	var r, g, bl, n uint64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			r, g, bl, n = r+uint64(c.R), g+uint64(c.G), bl+uint64(c.B), n+1
		}
	}
	return color.RGBA{uint8(r / n), uint8(g / n), uint8(bl / n), 255}
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { v := int(x) - int(y); return v >= -tol && v <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// style is how a server writes its multipart stream; cameras differ.
type style struct {
	param         string // boundary parameter in the Content-Type
	delim         string // delimiter line the parts are separated by
	nl            string // line ending
	contentLength bool   // send Content-Length per part
	partType      string // part Content-Type, "" for none
	preamble      string
	closing       bool // end with a closing delimiter
}

var plain = style{param: "frame", delim: "--frame", nl: "\r\n", contentLength: true, partType: "image/jpeg"}

// part writes one multipart part.
func (s style) part(b *bytes.Buffer, body []byte) {
	b.WriteString(s.delim + s.nl)
	if s.partType != "" {
		b.WriteString("Content-Type: " + s.partType + s.nl)
	}
	if s.contentLength {
		fmt.Fprintf(b, "Content-Length: %d%s", len(body), s.nl)
	}
	b.WriteString(s.nl)
	b.Write(body)
	b.WriteString(s.nl)
}

// stream renders frames first..first+n-1 in style s.
func (s style) stream(t testing.TB, first, n int) []byte {
	var b bytes.Buffer
	b.WriteString(s.preamble)
	for i := first; i < first+n; i++ {
		s.part(&b, jpegFrame(t, palette(i)))
	}
	if s.closing {
		b.WriteString(s.delim + "--" + s.nl)
	}
	return b.Bytes()
}

// server is a real HTTP server on 127.0.0.1; serve(w, conn, gone)
// answers connection number conn (from 0); gone is closed when the client
// hangs up, so a handler can keep a live stream open until then.
func server(t *testing.T, serve func(w http.ResponseWriter, conn int, gone <-chan struct{})) *httptest.Server {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, int(conns.Add(1)-1), r.Context().Done())
	}))
	t.Cleanup(srv.Close)
	return srv
}

// writeStream sends the multipart header and body.
func writeStream(w http.ResponseWriter, s style, body []byte) {
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+s.param)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	w.(http.Flusher).Flush()
}
