package fetch

import (
	"context"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkHTTPFetch downloads a 3.5 MB bundle from a loopback server and
// reports the bytes that crossed the TCP connection per download (request
// and response, headers included) and their overhead over the file.
func BenchmarkHTTPFetch(b *testing.B) {
	const size = 3_500_000
	data := testData(size, 8)
	s := &fileServer{}
	s.replace(data, `"b"`)
	srv := httptest.NewUnstartedServer(s)
	var wire atomic.Int64
	srv.Listener = &countingListener{Listener: srv.Listener, n: &wire}
	srv.Start()
	defer srv.Close()
	h, err := NewHTTP(HTTPOptions{Reserve: -1})
	if err != nil {
		b.Fatal(err)
	}
	src := Source{URL: srv.URL + "/b", Size: size, SHA256: sumHex(data)}
	dir := b.TempDir()
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := h.Fetch(context.Background(), src, filepath.Join(dir, strconv.Itoa(i)), nil); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(wire.Load()) / float64(b.N)
	b.ReportMetric(n, "wire-B/op")
	b.ReportMetric(100*(n-size)/size, "overhead-%")
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}
