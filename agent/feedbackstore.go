package agent

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/fovea-edge/fovea/internal/base/atomicfile"
	"github.com/fovea-edge/fovea/monitor/feedback"
)

// feedbackStore keeps operators' labels durably in a JSON-lines file in
// the data directory: each Put appends one line and fsyncs before it
// returns; a later line for the same (camera, seq) replaces an earlier
// one. A line torn by a crash is the last one and is skipped on open. When
// replaced lines make up most of the file it is rewritten atomically.
type feedbackStore struct {
	path      string
	compactAt int // lines below which the file is never rewritten

	mu     sync.Mutex
	f      *os.File                       // guarded by mu
	labels map[feedbackKey]feedback.Label // guarded by mu
	lines  int                            // guarded by mu; lines in the file
}

type feedbackKey struct {
	camera string
	seq    uint64
}

var _ feedback.Store = (*feedbackStore)(nil)

// compactAfter is the number of lines below which the file is never
// rewritten.
const compactAfter = 10000

func openFeedbackStore(path string) (*feedbackStore, error) {
	s := &feedbackStore{path: path, compactAt: compactAfter, labels: map[feedbackKey]feedback.Label{}}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("feedback store %s: %w", path, err)
	}
	good := 0 // bytes of complete, valid lines
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		var l feedback.Label
		line := sc.Bytes()
		if err := json.Unmarshal(line, &l); err != nil || l.Camera == "" {
			break // a torn last line; everything after it is dropped
		}
		s.labels[feedbackKey{l.Camera, l.Seq}] = l
		s.lines++
		good += len(line) + 1
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("feedback store %s: %w", path, err)
	}
	if good < len(data) {
		// Cut the torn tail so the next line starts cleanly.
		if err := f.Truncate(int64(good)); err != nil {
			f.Close()
			return nil, fmt.Errorf("feedback store %s: truncating a torn line: %w", path, err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("feedback store %s: %w", path, err)
	}
	s.f = f
	return s, nil
}

// Put stores l durably, replacing an earlier label of the same result.
func (s *feedbackStore) Put(l feedback.Label) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("feedback.Put: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return fmt.Errorf("feedback.Put: %w", os.ErrClosed)
	}
	if _, err := s.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("feedback.Put: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("feedback.Put: %w", err)
	}
	s.labels[feedbackKey{l.Camera, l.Seq}] = l
	s.lines++
	if s.lines > s.compactAt && s.lines > 2*len(s.labels) {
		if err := s.compact(); err != nil {
			return fmt.Errorf("feedback.Put: compacting: %w", err)
		}
	}
	return nil
}

// compact rewrites the file with one line per label.
func (s *feedbackStore) compact() error {
	var buf bytes.Buffer
	for _, l := range s.sorted("") {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		buf.Write(append(b, '\n'))
	}
	if err := atomicfile.WriteFile(s.path, buf.Bytes(), 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.f.Close()
	s.f, s.lines = f, len(s.labels)
	return nil
}

func (s *feedbackStore) sorted(camera string) []feedback.Label {
	out := make([]feedback.Label, 0, len(s.labels))
	for k, l := range s.labels {
		if camera == "" || k.camera == camera {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b feedback.Label) int {
		return cmp.Or(cmp.Compare(a.Camera, b.Camera), cmp.Compare(a.Seq, b.Seq))
	})
	return out
}

// List calls fn for every label of camera ("" = all) in (camera, seq)
// order until fn returns false.
func (s *feedbackStore) List(camera string, fn func(feedback.Label) bool) error {
	s.mu.Lock()
	labels := s.sorted(camera)
	s.mu.Unlock()
	for _, l := range labels {
		if !fn(l) {
			break
		}
	}
	return nil
}

// Len is the number of results with a label.
func (s *feedbackStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.labels)
}

// Close closes the file; later Puts fail.
func (s *feedbackStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
