package fetch

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fovea-edge/fovea/internal/base/backoff"
)

// transfer is one running MQTT Fetch; only its goroutine touches it.
type transfer struct {
	m         *MQTT
	src       Source
	dst       string
	f         *os.File
	statePath string
	state     *chunkState
	manifest  TransferManifest // valid when state.manifest != nil
	hash      [8]byte
	sha       [32]byte
	in        <-chan []byte
	progress  func(done, total int64)

	inflight  map[int]bool // chunks requested and not yet received
	missing   int          // chunks not in the partial file
	done      int64        // bytes of the chunks held
	unsynced  int          // chunks written since the last sync
	lastGood  time.Time    // last valid message
	lastAsked time.Time    // last request published
}

// open prepares the partial file and the chunk map, re-checking every chunk
// the map marks so that a torn or tampered partial file is caught.
func (m *MQTT) open(src Source, dst string, in <-chan []byte, progress func(done, total int64)) (*transfer, error) {
	sha, err := src.sum()
	if err != nil {
		return nil, err
	}
	part := partialPath(dst)
	t := &transfer{m: m, src: src, dst: dst, statePath: part + ".chunks", hash: TransferHash(src.TransferID), sha: sha,
		in: in, progress: progress, inflight: map[int]bool{}}
	state, man, ok := loadChunkState(t.statePath, sha)
	t.state, t.manifest = state, man
	if ok && (man.Size != src.Size || man.SHA256 != sha || man.TransferHash != t.hash) {
		t.state = &chunkState{sha: sha}
		ok = false
	}
	flags := os.O_RDWR | os.O_CREATE
	if !ok {
		flags |= os.O_TRUNC
	}
	if t.f, err = os.OpenFile(part, flags, 0o644); err != nil {
		return nil, err
	}
	if ok {
		if err := t.recheck(); err != nil {
			t.f.Close()
			return nil, err
		}
		m.opts.Logger.Info("resuming transfer", "transfer", src.TransferID, "have", t.done, "size", src.Size)
	}
	if err := checkSpace(m.opts.FreeSpace, dst, src.Size-t.done, m.opts.Reserve); err != nil {
		t.f.Close()
		return nil, err
	}
	return t, nil
}

// recheck hashes each chunk the map marks and unmarks those that differ.
func (t *transfer) recheck() error {
	buf := make([]byte, t.manifest.ChunkSize)
	t.missing = 0
	for i, want := range t.manifest.Chunks {
		if !t.state.has(i) {
			t.missing++
			continue
		}
		b := buf[:t.chunkLen(i)]
		if _, err := t.f.ReadAt(b, int64(i)*int64(t.manifest.ChunkSize)); err != nil && err != io.EOF {
			return fmt.Errorf("recheck %s: %w", t.f.Name(), err)
		}
		if sha256.Sum256(b) != want {
			t.state.clear(i)
			t.missing++
			continue
		}
		t.done += int64(len(b))
	}
	return nil
}

func (t *transfer) chunkLen(i int) int {
	if i == len(t.manifest.Chunks)-1 {
		return int(t.manifest.Size - int64(i)*int64(t.manifest.ChunkSize))
	}
	return t.manifest.ChunkSize
}

func (t *transfer) haveManifest() bool { return t.state.manifest != nil }

// run requests and receives until the file is complete, then finishes it.
func (t *transfer) run(ctx context.Context) error {
	opts := t.m.opts
	bo := backoff.New(opts.RequestTimeout, opts.RetryMax, 0.2)
	t.lastGood = time.Now()
	t.progress(t.done, t.src.Size)
	t.request(ctx, false)
	wait := bo.Next()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for !t.haveManifest() || t.missing > 0 {
		select {
		case <-ctx.Done():
			t.close()
			return ctx.Err()
		case p := <-t.in:
			progressed, err := t.handle(p)
			if err != nil {
				t.close()
				return err
			}
			if progressed {
				bo.Reset()
				wait = bo.Next()
				t.request(ctx, false)
			}
		case <-timer.C:
			if time.Since(t.lastGood) > opts.StallTimeout {
				t.close()
				what := "no manifest"
				if t.haveManifest() {
					what = fmt.Sprintf("no valid chunk (%d of %d missing)", t.missing, len(t.manifest.Chunks))
				}
				return fmt.Errorf("%w: %s for %s: is `fovea fleet deploy` serving transfer %s?",
					ErrStalled, what, opts.StallTimeout, t.src.TransferID)
			}
			wait = bo.Next()
			opts.Logger.Info("chunks overdue; asking again", "transfer", t.src.TransferID, "in_flight", len(t.inflight), "missing", t.missing, "next_wait", wait)
			t.request(ctx, true)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		last := t.lastAsked
		if t.lastGood.After(last) {
			last = t.lastGood
		}
		timer.Reset(time.Until(last.Add(wait)))
	}
	if err := t.state.save(t.statePath); err != nil {
		t.f.Close()
		return fmt.Errorf("save chunk map: %w", err)
	}
	return finish(t.f, t.src, t.dst, t.statePath)
}

// close syncs what was received, so a later Fetch resumes from it.
func (t *transfer) close() {
	if t.unsynced > 0 && t.f.Sync() == nil {
		if err := t.state.save(t.statePath); err != nil {
			t.m.opts.Logger.Warn("save chunk map", "err", err)
		}
	}
	t.f.Close()
}

// request asks for the manifest when it is missing and for missing chunks
// up to the window. again re-asks for the chunks in flight, too.
func (t *transfer) request(ctx context.Context, again bool) {
	if again {
		clear(t.inflight)
	} else if len(t.inflight) > t.m.opts.Window/2 {
		return // ask in batches of half a window: fewer request messages
	}
	r := ChunkRequest{TransferID: t.src.TransferID, Manifest: !t.haveManifest()}
	if t.haveManifest() {
		var idx []int
		for i := range t.manifest.Chunks {
			if len(t.inflight)+len(idx) >= t.m.opts.Window {
				break
			}
			if !t.state.has(i) && !t.inflight[i] {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return
		}
		for _, i := range idx {
			t.inflight[i] = true
		}
		r.Chunks = ranges(idx)
	}
	t.lastAsked = time.Now()
	t.m.requests.Add(1)
	if err := t.m.opts.Publisher.Publish(ctx, Message{Topic: t.m.opts.RequestTopic, Payload: r.Encode()}); err != nil {
		// Offline: the timer asks again.
		t.m.opts.Logger.Info("publish chunk request", "transfer", t.src.TransferID, "err", err)
	}
}

// handle checks one message and writes a valid chunk. It reports whether the
// transfer advanced; errors are local failures (disk), not bad messages.
func (t *transfer) handle(p []byte) (bool, error) {
	if len(p) >= 4 && string(p[:4]) == manifestMagic {
		return t.handleManifest(p)
	}
	c, err := DecodeChunk(p)
	switch {
	case err != nil:
		if c.TransferHash == t.hash {
			delete(t.inflight, c.Index) // damaged in transit: ask again soon
		}
		return t.reject("undecodable chunk", err), nil
	case c.TransferHash != t.hash:
		return t.reject("chunk of another transfer", nil), nil
	case !t.haveManifest():
		return t.reject("chunk before the manifest", nil), nil
	case c.Count != len(t.manifest.Chunks) || c.ChunkSize != t.manifest.ChunkSize || len(c.Data) != t.chunkLen(c.Index):
		return t.reject(fmt.Sprintf("chunk %d does not fit the manifest", c.Index), nil), nil
	case t.state.has(c.Index):
		return false, nil // a duplicate: asked twice
	case c.SHA256 != t.manifest.Chunks[c.Index]:
		delete(t.inflight, c.Index)
		return t.reject(fmt.Sprintf("chunk %d differs from the manifest's hash", c.Index), nil), nil
	}
	if _, err := t.f.WriteAt(c.Data, int64(c.Index)*int64(t.manifest.ChunkSize)); err != nil {
		return false, fmt.Errorf("write %s: %w", t.f.Name(), err)
	}
	t.state.mark(c.Index)
	delete(t.inflight, c.Index)
	t.missing--
	t.done += int64(len(c.Data))
	t.lastGood = time.Now()
	t.m.received.Add(1)
	t.progress(t.done, t.src.Size)
	if t.unsynced++; t.unsynced >= t.m.opts.SyncEvery {
		if err := t.f.Sync(); err != nil {
			return false, fmt.Errorf("sync %s: %w", t.f.Name(), err)
		}
		if err := t.state.save(t.statePath); err != nil {
			return false, fmt.Errorf("save chunk map: %w", err)
		}
		t.unsynced = 0
	}
	return true, nil
}

// handleManifest takes the first valid manifest of this transfer. One that
// describes another file ends the Fetch: the operator serves something else
// under this transfer id, and waiting cannot help.
func (t *transfer) handleManifest(p []byte) (bool, error) {
	if t.haveManifest() {
		return false, nil
	}
	m, err := DecodeTransferManifest(p)
	switch {
	case err != nil:
		return t.reject("undecodable manifest", err), nil
	case m.TransferHash != t.hash:
		return t.reject("manifest of another transfer", nil), nil
	case m.Size != t.src.Size || m.SHA256 != t.sha:
		t.reject("manifest", nil)
		return false, fmt.Errorf("%w: transfer %s is served as %d bytes with sha256 %x; the deployment announces %d bytes with %s",
			ErrManifestMismatch, t.src.TransferID, m.Size, m.SHA256, t.src.Size, t.src.SHA256)
	}
	t.state.setManifest(m)
	t.manifest = m
	t.missing = len(m.Chunks)
	t.lastGood = time.Now()
	t.m.received.Add(1)
	if err := t.state.save(t.statePath); err != nil {
		t.m.opts.Logger.Warn("save chunk map", "err", err)
	}
	return true, nil
}

func (t *transfer) reject(what string, err error) bool {
	t.m.rejected.Add(1)
	t.m.opts.Logger.Warn("rejected transfer message", "transfer", t.src.TransferID, "what", what, "err", err)
	return false
}
