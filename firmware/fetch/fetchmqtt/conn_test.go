package fetchmqtt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		filter, topic string
		want          bool
	}{
		{"fovea/+/ota/chunks/request", "fovea/dev1/ota/chunks/request", true},
		{"fovea/+/ota/chunks/request", "fovea/dev1/ota/chunks/data", false},
		{"fovea/+/ota/chunks/request", "fovea/a/b/ota/chunks/request", false},
		{"fovea/dev1/ota/chunks/data", "fovea/dev1/ota/chunks/data", true},
		{"fovea/#", "fovea/dev1/x", true},
		{"fovea/dev1", "fovea/dev1/x", false},
	}
	for _, tt := range tests {
		if got := Match(tt.filter, tt.topic); got != tt.want {
			t.Errorf("Match(%q, %q) = %v; want %v", tt.filter, tt.topic, got, tt.want)
		}
	}
}

// TestTransferTLS runs a transfer with both sides on an mqtts:// listener
// verified with the site's CA, and checks a client without that CA is
// refused.
func TestTransferTLS(t *testing.T) {
	x := mosquittotest.NewTLS(t, "unused")
	b := mosquittotest.Start(t, mosquittotest.Options{TLS: x})
	data := testData(200_000, 11)
	op := &operator{pub: &lazyPub{}}
	op.srv = fetch.NewChunkServer(op.pub, testLogger(t))
	opts := clientOptions(t, b, "operator")
	opts.CAFile = x.CAFile
	conn, err := Dial(context.Background(), opts, map[string]func(fetch.Message){fetch.RequestFilter: op.srv.Deliver})
	if err != nil {
		t.Fatalf("Dial over TLS: %v", err)
	}
	defer conn.Close(context.Background())
	op.pub.set(conn)
	if _, err := op.srv.Add("t-tls", writeFile(t, data), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- op.srv.Run(ctx) }()
	defer func() { cancel(); <-done }()

	pub := &lazyPub{}
	m, err := fetch.NewMQTT(fetch.MQTTOptions{Publisher: pub, RequestTopic: "fovea/dev1/" + fetch.RequestSuffix, Reserve: -1})
	if err != nil {
		t.Fatal(err)
	}
	dopts := clientOptions(t, b, "dev1")
	dopts.CAFile = x.CAFile
	dconn, err := Dial(context.Background(), dopts, map[string]func(fetch.Message){m.DataTopic(): m.Deliver})
	if err != nil {
		t.Fatalf("Dial device over TLS: %v", err)
	}
	defer dconn.Close(context.Background())
	pub.set(dconn)
	dst := filepath.Join(t.TempDir(), "staged.fovea")
	if err := m.Fetch(context.Background(), fetch.Source{TransferID: "t-tls", Size: int64(len(data)), SHA256: sumHex(data)}, dst, nil); err != nil {
		t.Fatalf("Fetch over TLS: %v", err)
	}
	checkFile(t, dst, data)

	bad := clientOptions(t, b, "stranger") // system roots: the test CA is unknown
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	if c, err := Dial(short, bad, nil); err == nil {
		c.Close(context.Background())
		t.Fatal("Dial without the site's CA succeeded")
	} else {
		t.Logf("Dial without the CA: %v", err)
	}
}
