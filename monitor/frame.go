package monitor

import (
	"image"
	"time"

	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/monitor/capture"
	"github.com/fovea-edge/fovea/monitor/framestats"
)

// Frame is what the agent tells the monitor about one result. Slices and
// the image are read during Observe only.
type Frame struct {
	Camera string
	Seq    uint64
	Time   time.Time
	// Image is the captured frame (nil: no input or camera tests).
	Image image.Image
	// Top are the ranked classes (nil when classification failed: no
	// output tests).
	Top []infer.Class
	// Labels are the model's class names (len = number of classes).
	Labels []string
	// Classes is the number of classes when Labels is nil.
	Classes int
	// Scores, when set, is the whole class distribution (exact entropy);
	// otherwise entropy assumes the mass outside Top is spread evenly.
	Scores []float32
	// Embedding is the kept intermediate tensor, dequantized (nil: no
	// embedding test).
	Embedding []float32
	Model     capture.Model
	// Truth is the known true label ("" unknown), e.g. from a synthetic
	// camera or a labelled folder.
	Truth string
	// Shadow is a shadow model's top-1 label on this frame, "" none.
	Shadow string

	// measured replaces measuring Image (the measurement tool replays
	// statistics of frames rendered once).
	measured *framestats.Stats
}

// Result is what Observe returns: usually nothing.
type Result struct {
	// Events are alarm state changes and retraining triggers, in order.
	Events []Event
	// Sample is a frame the capture policy kept; the agent stores it.
	Sample *capture.Sample
	// CaptureErr is set when preparing a sample failed.
	CaptureErr error
}
