package fetchmqtt

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

// BenchmarkTransfer moves a 3.5 MB bundle through a real mosquitto on
// loopback, per chunk size, with mosquitto's default socket options and
// with set_tcp_nodelay (Nagle's algorithm off), and reports the bytes on
// the device's connection per transfer (chunks, manifest, requests, MQTT
// framing and acknowledgements) and their overhead over the file.
func BenchmarkTransfer(b *testing.B) {
	for _, bc := range []struct{ name, extra string }{{"default", ""}, {"nodelay", "set_tcp_nodelay true\n"}} {
		for _, cs := range []int{16 << 10, 32 << 10} {
			b.Run(bc.name+"/"+strconv.Itoa(cs>>10)+"KiB", func(b *testing.B) { benchTransfer(b, bc.extra, cs) })
		}
	}
}

func benchTransfer(b *testing.B, brokerConf string, cs int) {
	br := mosquittotest.Start(b, mosquittotest.Options{Extra: brokerConf})
	data := testData(modelSize, 9)
	op := startOperator(b, br, nil)
	if _, err := op.srv.Add("bench", writeFile(b, data), cs); err != nil {
		b.Fatal(err)
	}
	d := startDevice(b, br, "dev1", fetch.MQTTOptions{})
	src := fetch.Source{TransferID: "bench", Size: modelSize, SHA256: sumHex(data)}
	dir := b.TempDir()
	s0, r0 := d.conn.WireBytes()
	b.SetBytes(modelSize)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := d.m.Fetch(context.Background(), src, filepath.Join(dir, strconv.Itoa(i)), nil); err != nil {
			b.Fatal(err)
		}
	}
	s1, r1 := d.conn.WireBytes()
	n := float64(s1-s0+r1-r0) / float64(b.N)
	b.ReportMetric(n, "wire-B/op")
	b.ReportMetric(100*(n-modelSize)/modelSize, "overhead-%")
	b.ReportMetric(float64(s1-s0)/float64(b.N), "sent-B/op")
}
