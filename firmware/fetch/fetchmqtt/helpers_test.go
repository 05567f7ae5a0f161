package fetchmqtt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
	"github.com/fovea-edge/fovea/internal/testutil/testlog"
)

func testData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sumHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func testLogger(t testing.TB) *slog.Logger { return testlog.New(t, slog.LevelInfo) }

// clientOptions connect a client to broker b.
func clientOptions(t testing.TB, b *mosquittotest.Broker, clientID string) Options {
	return Options{Broker: b.URL(), ClientID: clientID, KeepAlive: 5 * time.Second, PublishTimeout: 5 * time.Second, Logger: testLogger(t)}
}

// lazyPub publishes through a Conn set after Dial (the Conn's subscription
// callback needs the object that publishes).
type lazyPub struct {
	mu sync.Mutex
	c  *Conn
	// tamper, when set, may replace a payload before it is published.
	tamper func(m fetch.Message) fetch.Message
}

func (p *lazyPub) set(c *Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.c = c
}

func (p *lazyPub) Publish(ctx context.Context, m fetch.Message) error {
	p.mu.Lock()
	c, tamper := p.c, p.tamper
	p.mu.Unlock()
	if tamper != nil {
		m = tamper(m)
	}
	return c.Publish(ctx, m)
}

// operator runs a ChunkServer on its own connection until the test ends.
type operator struct {
	srv  *fetch.ChunkServer
	pub  *lazyPub
	conn *Conn
}

func startOperator(t testing.TB, b *mosquittotest.Broker, tamper func(fetch.Message) fetch.Message) *operator {
	t.Helper()
	conn, err := Dial(context.Background(), clientOptions(t, b, "operator"), nil)
	if err != nil {
		t.Fatalf("Dial operator: %v", err)
	}
	op := &operator{pub: &lazyPub{c: conn, tamper: tamper}, conn: conn}
	op.srv = fetch.NewChunkServer(op.pub, testLogger(t))
	conn.Subscribe(fetch.RequestFilter, op.srv.Deliver)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- op.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ChunkServer.Run: %v", err)
		}
		conn.Close(context.Background())
	})
	return op
}

// serverStats returns the server's counters once it published at least
// chunks chunks, or after 5 seconds.
func (op *operator) serverStats(chunks int64) fetch.ChunkServerStats {
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := op.srv.Stats()
		if st.Chunks >= chunks || time.Now().After(deadline) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// device is the device side on its own connection.
type device struct {
	m    *fetch.MQTT
	conn *Conn
}

func startDevice(t testing.TB, b *mosquittotest.Broker, clientID string, opts fetch.MQTTOptions) *device {
	t.Helper()
	pub := &lazyPub{}
	opts.Publisher = pub
	opts.RequestTopic = "fovea/dev1/" + fetch.RequestSuffix
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 300 * time.Millisecond
	}
	if opts.Reserve == 0 {
		opts.Reserve = -1
	}
	opts.Logger = testLogger(t)
	m, err := fetch.NewMQTT(opts)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Dial(context.Background(), clientOptions(t, b, clientID), map[string]func(fetch.Message){m.DataTopic(): m.Deliver})
	if err != nil {
		t.Fatalf("Dial device: %v", err)
	}
	pub.set(conn)
	d := &device{m: m, conn: conn}
	t.Cleanup(func() { d.close() })
	return d
}

func (d *device) close() { d.conn.Close(context.Background()) }

func writeFile(t testing.TB, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bundle.fovea")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func checkFile(t testing.TB, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes, sha256 %s; want %d bytes, %s", path, len(got), sumHex(got), len(want), sumHex(want))
	}
	if left, _ := filepath.Glob(path + ".*"); len(left) > 0 {
		t.Errorf("left beside %s: %v", path, left)
	}
}
