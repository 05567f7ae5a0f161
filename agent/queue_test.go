package agent

import (
	"context"
	"testing"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/camera"
)

func testCams(ids ...string) []*cam {
	var cs []*cam
	for _, id := range ids {
		cs = append(cs, &cam{cfg: config.Camera{ID: id}})
	}
	return cs
}

func seqs(t *testing.T, q *queue, n int) []string {
	t.Helper()
	var got []string
	for range n {
		j, ok := q.pop(context.Background())
		if !ok {
			t.Fatalf("pop: queue closed early after %v", got)
		}
		got = append(got, j.cam.cfg.ID+string(rune('0'+j.frame.Seq)))
	}
	return got
}

func TestQueueDropOldestRoundRobin(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		pushes  []string // camera id per push; frames numbered per camera from 1
		want    []string // pop order: camera id + seq
		dropped map[string]int
	}{
		{"fifo within a camera", 3, []string{"a", "a", "a"}, []string{"a1", "a2", "a3"}, map[string]int{}},
		{"drop oldest when full", 2, []string{"a", "a", "a", "a"}, []string{"a3", "a4"}, map[string]int{"a": 2}},
		{"round robin across cameras", 4, []string{"a", "a", "a", "b"}, []string{"a1", "b1", "a2", "a3"}, map[string]int{}},
		{"each camera has its own bound", 1, []string{"a", "b", "a", "b", "c"}, []string{"a2", "b2", "c1"}, map[string]int{"a": 1, "b": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := testCams("a", "b", "c")
			byID := map[string]*cam{"a": cs[0], "b": cs[1], "c": cs[2]}
			q := newQueue(tt.size, cs)
			n := map[string]uint64{}
			dropped := map[string]int{}
			for _, id := range tt.pushes {
				n[id]++
				if q.push(job{cam: byID[id], frame: camera.Frame{Seq: n[id]}}) {
					dropped[id]++
				}
			}
			got := seqs(t, q, len(tt.want))
			if len(got) != len(tt.want) {
				t.Fatalf("popped %v; want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("pop order = %v; want %v", got, tt.want)
				}
			}
			for id, d := range tt.dropped {
				if dropped[id] != d {
					t.Errorf("camera %s: dropped %d; want %d", id, dropped[id], d)
				}
			}
			q.close()
			if j, ok := q.pop(context.Background()); ok {
				t.Errorf("pop after draining a closed queue = %v, true; want false", j)
			}
		})
	}
}

// TestQueueCloseDrains: a closed queue still hands out what it holds, and
// pushWait pauses a camera until a worker takes a frame.
func TestQueueCloseDrains(t *testing.T) {
	cs := testCams("a")
	q := newQueue(1, cs)
	if !q.pushWait(context.Background(), job{cam: cs[0], frame: camera.Frame{Seq: 1}}) {
		t.Fatal("pushWait into an empty queue = false")
	}
	pushed := make(chan bool)
	go func() { pushed <- q.pushWait(context.Background(), job{cam: cs[0], frame: camera.Frame{Seq: 2}}) }()
	if got := seqs(t, q, 1); got[0] != "a1" {
		t.Fatalf("first pop = %v; want a1", got)
	}
	if !<-pushed {
		t.Fatal("pushWait = false after space was made")
	}
	q.close()
	if got := seqs(t, q, 1); got[0] != "a2" {
		t.Fatalf("pop after close = %v; want a2", got)
	}
	if _, ok := q.pop(context.Background()); ok {
		t.Error("pop on a drained closed queue = true; want false")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	full := newQueue(1, cs)
	full.push(job{cam: cs[0]})
	if full.pushWait(ctx, job{cam: cs[0]}) {
		t.Error("pushWait on a full queue with a cancelled context = true; want false")
	}
	if _, ok := newQueue(1, cs).pop(ctx); ok {
		t.Error("pop on an empty queue with a cancelled context = true; want false")
	}
}
