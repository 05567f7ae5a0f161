//go:build opencv

package opencv

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/camera"
)

// TestPipelineReconnect drives a live source, a GStreamer pipeline that
// stops after five frames as an unplugged camera would: the source must
// report the loss, reopen the pipeline with back-off and number frames on.
func TestPipelineReconnect(t *testing.T) {
	const pipe = "videotestsrc num-buffers=5 pattern=solid-color foreground-color=0xff20c040 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink"
	src, err := camera.Open(t.Context(), "opencv:"+pipe, camera.Options{ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond})
	if err != nil {
		if strings.Contains(err.Error(), "GStreamer") {
			t.Skipf("OpenCV without GStreamer: %v", err)
		}
		t.Fatal(err)
	}
	defer src.Close()
	w := camera.NewWatchdog(src, time.Minute)
	var seqs []uint64
	losses := 0
	for len(seqs) < 12 {
		f, err := w.Next(t.Context())
		if err != nil {
			if losses++; losses > 5 {
				t.Fatalf("Next = %v after %d losses", err, losses)
			}
			continue
		}
		seqs = append(seqs, f.Seq)
		if got, want := mean(f.Image), (color.RGBA{0x20, 0xc0, 0x40, 255}); !close(got, want) {
			t.Errorf("frame %d mean colour = %v; want %v", f.Seq, got, want)
		}
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("Seq = %v; want 1..12 across reconnects", seqs)
		}
	}
	h := w.Health()
	if losses != 2 || h.Stats.Reconnects != 2 || h.Stats.Frames != 12 || h.State != camera.StateFresh {
		t.Errorf("losses %d, health %+v; want 2 losses, 2 reconnects, 12 frames, fresh", losses, h)
	}
}
