package agent

import (
	"image"
	"time"

	"github.com/fovea-edge/fovea/infer"
)

// Observation is one classified frame, handed to every Observer after its
// result is durable in the outbox (or, with Err set, after classification
// failed and the frame was skipped).
type Observation struct {
	Camera string
	Seq    uint64    // outbox sequence; 0 when Err is set
	Time   time.Time // when the frame was captured (wall clock, UTC)
	// Frame is the captured frame. It is shared with the live view: read
	// it only during the call and never modify it.
	Frame image.Image
	Pred  infer.Prediction // top-k and timings; zero when Err is set
	Model ModelRef         // the model that made Pred
	Truth string           // the frame's truth label; "" when unknown
	Err   error            // classification error
	// Embedding is the tensor named by monitor.embedding, dequantized,
	// when the model has it; nil otherwise.
	Embedding []float32
	// Shadow is the shadow candidate's top-1 label on this frame, "" when
	// none ran.
	Shadow string
}

// observed is what a worker keeps of a frame for the observers only.
type observed struct {
	emb    []float32
	shadow string
}

// Observer watches results as they are made: monitoring, OTA health
// gates. Observe runs on a worker's goroutine, once per frame: it must be
// quick, must not block, and must not keep o or o.Frame after it returns.
type Observer interface {
	Observe(o *Observation)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(o *Observation)

// Observe calls f(o).
func (f ObserverFunc) Observe(o *Observation) { f(o) }

// AddObserver adds an observer; call it before Run. The agent's own
// features (monitoring, OTA gates) add theirs this way; callers may also
// pass Options.Observers.
func (a *Agent) AddObserver(o Observer) { a.obs = append(a.obs, o) }

// observe tells every observer about a durable result.
func (a *Agent) observe(ap appended) {
	if len(a.obs) == 0 || ap.err != nil {
		return
	}
	o := Observation{
		Camera: ap.cam.cfg.ID, Seq: ap.seq, Time: ap.rec.Wall, Frame: ap.img,
		Pred: ap.pred, Model: ap.rec.Model, Truth: ap.rec.Truth, Embedding: ap.obs.emb, Shadow: ap.obs.shadow,
	}
	for _, ob := range a.obs {
		ob.Observe(&o)
	}
}

// observeError tells every observer about a frame that could not be
// classified.
func (a *Agent) observeError(c *cam, ref ModelRef, j job, err error) {
	if len(a.obs) == 0 {
		return
	}
	o := Observation{Camera: c.cfg.ID, Time: j.frame.Wall.UTC(), Frame: j.frame.Image, Model: ref, Truth: j.frame.Truth, Err: err}
	for _, ob := range a.obs {
		ob.Observe(&o)
	}
}
