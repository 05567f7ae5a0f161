package agent

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/monitor/feedback"
)

func listAll(t *testing.T, s *feedbackStore, camera string) []feedback.Label {
	t.Helper()
	var out []feedback.Label
	if err := s.List(camera, func(l feedback.Label) bool { out = append(out, l); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFeedbackStore writes labels, replaces one, reopens the file, and
// survives a torn last line as a crash mid-write leaves it.
func TestFeedbackStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), FeedbackFile)
	s, err := openFeedbackStore(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	for _, l := range []feedback.Label{
		{Device: "d", Camera: "b", Seq: 2, Label: "star", Time: at},
		{Device: "d", Camera: "a", Seq: 9, Label: "circle", Time: at},
		{Device: "d", Camera: "b", Seq: 1, Label: "square", Time: at},
		{Device: "d", Camera: "b", Seq: 2, Label: "circle", Predicted: "star", Time: at}, // a correction
	} {
		if err := s.Put(l); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(ls []feedback.Label) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Camera+"/"+l.Label)
		}
		return out
	}
	want := []string{"a/circle", "b/square", "b/circle"}
	if got := seqs(listAll(t, s, "")); !slices.Equal(got, want) {
		t.Errorf("List = %v; want %v", got, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(feedback.Label{Camera: "a", Seq: 1}); err == nil {
		t.Error("Put after Close succeeded")
	}
	// A crash mid-line leaves a torn tail.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"device":"d","camera":"a","seq":5,"lab`)
	f.Close()
	s, err = openFeedbackStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := seqs(listAll(t, s, "")); !slices.Equal(got, want) {
		t.Errorf("after a torn line List = %v; want %v", got, want)
	}
	if err := s.Put(feedback.Label{Device: "d", Camera: "a", Seq: 5, Label: "star", Time: at}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = openFeedbackStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(listAll(t, s, "a")); !slices.Equal(got, []string{"a/star", "a/circle"}) {
		t.Errorf("List(a) after reopening = %v; want the label written after the torn line", got)
	}
	if s.Len() != 4 {
		t.Errorf("Len = %d; want 4", s.Len())
	}
}

func TestFeedbackStoreCompacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), FeedbackFile)
	s, err := openFeedbackStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.compactAt = 50
	// The same three results relabelled over and over.
	for i := range 200 {
		if err := s.Put(feedback.Label{Camera: "c", Seq: uint64(i%3 + 1), Label: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if s.lines > 20 {
		t.Errorf("%d lines after compaction; want a few", s.lines)
	}
	s.Close()
	s, err = openFeedbackStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Errorf("after reopening %d labels; want 3", s.Len())
	}
}
