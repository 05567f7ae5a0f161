package fetchmqtt

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

const modelSize = 3_500_000 // the 3.5 MB model

func TestTransfer(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	data := testData(modelSize, 1)
	op := startOperator(t, b, nil)
	man, err := op.srv.Add("shapes-1.2.0", writeFile(t, data), 0)
	if err != nil {
		t.Fatal(err)
	}
	// A long request timeout: a clean run never needs to ask twice, even
	// on a loaded machine or under -race.
	d := startDevice(t, b, "dev1", fetch.MQTTOptions{RequestTimeout: 20 * time.Second})
	dst := filepath.Join(t.TempDir(), "staged.fovea")
	var last int64
	src := fetch.Source{TransferID: "shapes-1.2.0", Size: modelSize, SHA256: sumHex(data)}
	if err := d.m.Fetch(context.Background(), src, dst, func(done, total int64) { last = done }); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	checkFile(t, dst, data)
	if last != modelSize {
		t.Errorf("last progress %d; want %d", last, modelSize)
	}
	// The server counts a chunk once the broker acknowledged it, which may
	// come after the device already has it.
	st := op.serverStats(int64(len(man.Chunks)))
	if st.Chunks != int64(len(man.Chunks)) || st.Manifests != 1 {
		t.Errorf("server published %d chunks and %d manifests; want %d and 1 (no chunk twice on a clean run)", st.Chunks, st.Manifests, len(man.Chunks))
	}
	if ds := d.m.Stats(); ds.Rejected != 0 || ds.Dropped != 0 {
		t.Errorf("device stats %+v; want nothing rejected or dropped", ds)
	}
}

// TestTransferResume stops the device halfway (Fetch cancelled, connection
// closed, as at a restart) and finishes with a new client and a new
// fetch.MQTT: only the missing chunks travel again.
func TestTransferResume(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	data := testData(modelSize, 2)
	op := startOperator(t, b, nil)
	man, err := op.srv.Add("t-resume", writeFile(t, data), 0)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "staged.fovea")
	src := fetch.Source{TransferID: "t-resume", Size: modelSize, SHA256: sumHex(data)}

	d1 := startDevice(t, b, "dev1-a", fetch.MQTTOptions{SyncEvery: 4})
	ctx, cancel := context.WithCancel(context.Background())
	err = d1.m.Fetch(ctx, src, dst, func(done, total int64) {
		if done > total/2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("first Fetch = %v; want context.Canceled", err)
	}
	d1.close()
	half := d1.m.Stats().Received - 1 // less the manifest

	d2 := startDevice(t, b, "dev1-b", fetch.MQTTOptions{})
	var first int64 = -1
	if err := d2.m.Fetch(context.Background(), src, dst, func(done, total int64) {
		if first < 0 {
			first = done
		}
	}); err != nil {
		t.Fatalf("second Fetch: %v", err)
	}
	checkFile(t, dst, data)
	if first < modelSize/2 {
		t.Errorf("second Fetch started at %d bytes; want the first half (%d) kept", first, modelSize/2)
	}
	got := d2.m.Stats().Received
	if want := int64(len(man.Chunks)) - half; got != want {
		t.Errorf("second Fetch received %d chunks; want the %d missing ones", got, want)
	}
}

// TestTransferCorruptChunk changes chunk 5 on its way the first time it is
// published: the device refuses it and asks again.
func TestTransferCorruptChunk(t *testing.T) {
	tests := []struct {
		name string
		// corrupt returns a bad version of a chunk message.
		corrupt func(p []byte) []byte
	}{
		{"flipped byte", func(p []byte) []byte {
			q := append([]byte(nil), p...)
			q[len(q)-10] ^= 0xff
			return q
		}},
		{"consistent header, wrong data", func(p []byte) []byte {
			c, err := fetch.DecodeChunk(p)
			if err != nil {
				panic(err)
			}
			bad := append([]byte(nil), c.Data...)
			bad[0] ^= 1
			return fetch.EncodeChunk("t-corrupt", c.Index, c.Count, c.ChunkSize, bad)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mosquittotest.Start(t, mosquittotest.Options{})
			data := testData(600_000, 3)
			var done atomic.Bool // the server publishes from several goroutines
			op := startOperator(t, b, func(m fetch.Message) fetch.Message {
				if c, err := fetch.DecodeChunk(m.Payload); err == nil && c.Index == 5 && done.CompareAndSwap(false, true) {
					m.Payload = tt.corrupt(m.Payload)
				}
				return m
			})
			man, err := op.srv.Add("t-corrupt", writeFile(t, data), 16<<10)
			if err != nil {
				t.Fatal(err)
			}
			d := startDevice(t, b, "dev1", fetch.MQTTOptions{RequestTimeout: 20 * time.Second})
			dst := filepath.Join(t.TempDir(), "staged.fovea")
			src := fetch.Source{TransferID: "t-corrupt", Size: int64(len(data)), SHA256: sumHex(data)}
			if err := d.m.Fetch(context.Background(), src, dst, nil); err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			checkFile(t, dst, data)
			if st := d.m.Stats(); st.Rejected != 1 {
				t.Errorf("device rejected %d messages; want 1", st.Rejected)
			}
			if st := op.serverStats(int64(len(man.Chunks)) + 1); st.Chunks != int64(len(man.Chunks))+1 {
				t.Errorf("server published %d chunks; want %d (chunk 5 twice)", st.Chunks, len(man.Chunks)+1)
			}
		})
	}
}

func TestTransferErrors(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	data := testData(100_000, 4)
	op := startOperator(t, b, nil)
	if _, err := op.srv.Add("served", writeFile(t, data), 4096); err != nil {
		t.Fatal(err)
	}
	other := testData(len(data), 5)
	tests := []struct {
		name string
		src  fetch.Source
		opts fetch.MQTTOptions
		want error
	}{
		{"nobody serves the transfer", fetch.Source{TransferID: "unknown", Size: int64(len(data)), SHA256: sumHex(data)},
			fetch.MQTTOptions{StallTimeout: 500 * time.Millisecond}, fetch.ErrStalled},
		{"served file is another one", fetch.Source{TransferID: "served", Size: int64(len(data)), SHA256: sumHex(other)},
			fetch.MQTTOptions{}, fetch.ErrManifestMismatch},
		{"disk full", fetch.Source{TransferID: "served", Size: int64(len(data)), SHA256: sumHex(data)},
			fetch.MQTTOptions{Reserve: 1 << 20, FreeSpace: func(string) (int64, bool, error) { return 1 << 20, true, nil }}, fetch.ErrDiskSpace},
		{"http source", fetch.Source{URL: "http://127.0.0.1/b", Size: 1, SHA256: sumHex(data)}, fetch.MQTTOptions{}, fetch.ErrSource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDevice(t, b, "dev1", tt.opts)
			err := d.m.Fetch(context.Background(), tt.src, filepath.Join(t.TempDir(), "staged.fovea"), nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch = %v; want %v", err, tt.want)
			}
			t.Logf("Fetch = %v", err)
		})
	}
}

// TestTransferMemoryBounded checks that the live heap does not grow with the
// file: sampled every 10% of a 3.5 MB transfer (both sides in this
// process), its growth stays flat, about the window of chunks in flight,
// where a whole-file buffer would hold 90% of the file at the last sample.
func TestTransferMemoryBounded(t *testing.T) {
	b := mosquittotest.Start(t, mosquittotest.Options{})
	data := testData(modelSize, 6)
	op := startOperator(t, b, nil)
	if _, err := op.srv.Add("t-mem", writeFile(t, data), 0); err != nil {
		t.Fatal(err)
	}
	d := startDevice(t, b, "dev1", fetch.MQTTOptions{})
	dst := filepath.Join(t.TempDir(), "staged.fovea")
	src := fetch.Source{TransferID: "t-mem", Size: modelSize, SHA256: sumHex(data)}
	data = nil // the test's copy is not part of what is measured
	base := liveHeap()
	var samples []int64
	next := int64(modelSize / 10)
	if err := d.m.Fetch(context.Background(), src, dst, func(done, total int64) {
		if done >= next && done < total {
			// Let the chunks in flight land (the device asks for no more
			// while this callback runs), so the sample sees what the
			// transfer holds rather than allocations racing the GC.
			time.Sleep(50 * time.Millisecond)
			samples = append(samples, int64(liveHeap())-int64(base))
			next += total / 10
		}
	}); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	t.Logf("live heap growth at 10%%, 20%%, …: %d", samples)
	if len(samples) < 8 {
		t.Fatalf("%d samples; want 9", len(samples))
	}
	// A whole-file buffer holds at least the bytes received so far, so it
	// shows in every late sample and in the median. A single sample can
	// also catch a transient burst (a broker redelivery, paho's buffers),
	// which says nothing about the file; it is logged, not failed.
	limit := int64(modelSize / 3)
	sorted := slices.Sorted(slices.Values(samples))
	if median := sorted[len(sorted)/2]; median > limit {
		t.Errorf("median live heap growth %d bytes during a %d-byte transfer; want under %d (no whole-file buffer)", median, modelSize, limit)
	}
	if late := slices.Min(samples[len(samples)-3:]); late > limit {
		t.Errorf("live heap grew by at least %d bytes in each of the last three samples of a %d-byte transfer; want under %d (no whole-file buffer)", late, modelSize, limit)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
