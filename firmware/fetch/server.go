package fetch

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
)

// ChunkServer is the operator side of chunked transfers: it answers the
// devices' ChunkRequests by publishing the manifest and the chunks asked for
// on each device's data topic. It reads one chunk at a time from the file,
// so memory does not grow with the file or the fleet.
type ChunkServer struct {
	pub  Publisher
	log  *slog.Logger
	reqs chan Message
	sem  chan struct{} // one token per chunk publish in flight

	mu        sync.Mutex
	transfers map[string]*servedFile // guarded by mu

	served, manifests, ignored, dropped atomic.Int64
}

// servedFile is one file offered as a transfer.
type servedFile struct {
	f        *os.File
	manifest TransferManifest
	encoded  []byte
}

// ChunkServerStats count what a ChunkServer did.
type ChunkServerStats struct {
	Chunks    int64 // chunk messages published
	Manifests int64 // manifest messages published
	Ignored   int64 // requests that were malformed, for unknown transfers, or on foreign topics
	Dropped   int64 // requests dropped because the queue was full
}

// NewChunkServer returns a server that publishes with pub. Hand it the
// messages of RequestFilter with Deliver and run it with Run.
func NewChunkServer(pub Publisher, logger *slog.Logger) *ChunkServer {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ChunkServer{pub: pub, log: logger, reqs: make(chan Message, 256), sem: make(chan struct{}, maxInFlight), transfers: map[string]*servedFile{}}
}

// Add offers file as transfer transferID in chunks of chunkSize bytes (0:
// DefaultChunkSize) and returns its manifest. The file must not change
// while it is served.
func (s *ChunkServer) Add(transferID, file string, chunkSize int) (TransferManifest, error) {
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	if err := validTransferID(transferID); err != nil {
		return TransferManifest{}, fmt.Errorf("fetch.ChunkServer.Add: %w", err)
	}
	if chunkSize < MinChunkSize || chunkSize > MaxChunkSize {
		return TransferManifest{}, fmt.Errorf("fetch.ChunkServer.Add: chunk size %d: must be %d to %d bytes", chunkSize, MinChunkSize, MaxChunkSize)
	}
	m, f, err := manifestOf(transferID, file, chunkSize)
	if err != nil {
		return TransferManifest{}, fmt.Errorf("fetch.ChunkServer.Add: %w", err)
	}
	s.mu.Lock()
	old := s.transfers[transferID]
	s.transfers[transferID] = &servedFile{f: f, manifest: m, encoded: m.Encode()}
	s.mu.Unlock()
	if old != nil {
		old.f.Close()
	}
	return m, nil
}

// manifestOf hashes file chunk by chunk and returns its manifest and the
// open file.
func manifestOf(transferID, file string, chunkSize int) (TransferManifest, *os.File, error) {
	f, err := os.Open(file)
	if err != nil {
		return TransferManifest{}, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return TransferManifest{}, nil, err
	}
	count := chunkCount(st.Size(), chunkSize)
	if st.Size() == 0 || count > MaxChunks {
		f.Close()
		return TransferManifest{}, nil, fmt.Errorf("%s: %d bytes make %d chunks of %d (1 to %d allowed): choose another chunk size",
			file, st.Size(), count, chunkSize, MaxChunks)
	}
	m := TransferManifest{TransferHash: TransferHash(transferID), Size: st.Size(), ChunkSize: chunkSize, Chunks: make([][32]byte, count)}
	whole := sha256.New()
	buf := make([]byte, chunkSize)
	for i := range m.Chunks {
		n, err := io.ReadFull(f, buf)
		if err != nil && !(errors.Is(err, io.ErrUnexpectedEOF) && i == len(m.Chunks)-1) {
			f.Close()
			return TransferManifest{}, nil, fmt.Errorf("read %s: %w", file, err)
		}
		m.Chunks[i] = sha256.Sum256(buf[:n])
		whole.Write(buf[:n])
	}
	whole.Sum(m.SHA256[:0])
	return m, f, nil
}

// Remove stops serving a transfer.
func (s *ChunkServer) Remove(transferID string) {
	s.mu.Lock()
	old := s.transfers[transferID]
	delete(s.transfers, transferID)
	s.mu.Unlock()
	if old != nil {
		old.f.Close()
	}
}

// Deliver queues a request message for Run. It never blocks: a request
// that finds the queue full is dropped, and the device asks again.
func (s *ChunkServer) Deliver(m Message) {
	select {
	case s.reqs <- m:
	default:
		s.dropped.Add(1)
	}
}

// Stats returns the counters.
func (s *ChunkServer) Stats() ChunkServerStats {
	return ChunkServerStats{Chunks: s.served.Load(), Manifests: s.manifests.Load(), Ignored: s.ignored.Load(), Dropped: s.dropped.Load()}
}

// serveWorkers is how many requests a ChunkServer answers at once, and
// maxInFlight how many chunk messages it has published and not yet seen
// acknowledged by the broker: publishing without waiting for each
// acknowledgement keeps the link busy when the broker is far away. They
// bound the server's memory to maxInFlight chunks.
const (
	serveWorkers = 4
	maxInFlight  = 16
)

// Run answers requests until ctx ends, then closes the served files.
func (s *ChunkServer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range serveWorkers {
		wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case m := <-s.reqs:
					if err := s.serve(ctx, m); err != nil && ctx.Err() == nil {
						s.log.Warn("serve chunk request", "topic", m.Topic, "err", err)
					}
				}
			}
		})
	}
	wg.Wait()
	s.mu.Lock()
	for id, t := range s.transfers {
		t.f.Close()
		delete(s.transfers, id)
	}
	s.mu.Unlock()
	return nil
}

// serve answers one request: the manifest first when asked for, then the
// chunks, published concurrently (up to maxInFlight across the server). It
// returns when every publish ended, with the first error.
func (s *ChunkServer) serve(ctx context.Context, m Message) error {
	data, ok := DataTopicFor(m.Topic)
	if !ok {
		s.ignored.Add(1)
		return fmt.Errorf("request on %q, which is no request topic", m.Topic)
	}
	r, err := DecodeChunkRequest(m.Payload)
	if err != nil {
		s.ignored.Add(1)
		return err
	}
	s.mu.Lock()
	t := s.transfers[r.TransferID]
	s.mu.Unlock()
	if t == nil {
		s.ignored.Add(1)
		return fmt.Errorf("request for transfer %q, which is not served", r.TransferID)
	}
	if r.Manifest {
		if err := s.pub.Publish(ctx, Message{Topic: data, Payload: t.encoded}); err != nil {
			return fmt.Errorf("publish manifest of %s: %w", r.TransferID, err)
		}
		s.manifests.Add(1)
	}
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	fail := func(err error) {
		errMu.Lock()
		defer errMu.Unlock()
		if first == nil {
			first = err
		}
	}
	for _, i := range r.Indexes(len(t.manifest.Chunks)) {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		msg, err := t.chunk(r.TransferID, i)
		if err != nil {
			<-s.sem
			fail(err)
			break
		}
		wg.Go(func() {
			defer func() { <-s.sem }()
			if err := s.pub.Publish(ctx, Message{Topic: data, Payload: msg}); err != nil {
				fail(fmt.Errorf("publish chunk %d of %s: %w", i, r.TransferID, err))
				return
			}
			s.served.Add(1)
		})
	}
	wg.Wait()
	return first
}

// chunk reads chunk i straight into a new chunk message.
func (t *servedFile) chunk(transferID string, i int) ([]byte, error) {
	m := t.manifest
	n := m.ChunkSize
	if last := len(m.Chunks) - 1; i == last {
		n = int(m.Size - int64(last)*int64(m.ChunkSize))
	}
	b := make([]byte, headerLen+n)
	if _, err := t.f.ReadAt(b[headerLen:], int64(i)*int64(m.ChunkSize)); err != nil {
		return nil, fmt.Errorf("read chunk %d of %s: %w", i, transferID, err)
	}
	putChunkHeader(b, m.TransferHash, i, len(m.Chunks), m.ChunkSize)
	return b, nil
}

// PubSub is an MQTT connection that can both publish and subscribe.
type PubSub interface {
	Publisher
	Subscriber
}

// ServeChunks offers file as transfer transferID to every device under the
// topic root (devices' prefixes root + "<device>/"; "" = "fovea/") until
// ctx ends: it subscribes c to RequestFilterUnder(root) and answers
// requests. It is what `fovea fleet deploy` runs for an MQTT
// transfer; several transfers at once need one ChunkServer with Add.
func ServeChunks(ctx context.Context, c PubSub, root, transferID, file string, chunkSize int, logger *slog.Logger) error {
	s := NewChunkServer(c, logger)
	if _, err := s.Add(transferID, file, chunkSize); err != nil {
		return fmt.Errorf("fetch.ServeChunks: %w", err)
	}
	c.Subscribe(RequestFilterUnder(root), s.Deliver)
	return s.Run(ctx)
}
