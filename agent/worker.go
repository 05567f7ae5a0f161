package agent

import (
	"context"
	"image"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// maxInFlight bounds, per worker, the appends waiting for their group
// commit. Workers do not wait for the commit (up to
// outbox.commit_interval): each append runs in its own goroutine and the
// worker goes on classifying, so one worker keeps up with a fast model;
// past this bound it waits.
const maxInFlight = 512

// appended is the outcome of one append.
type appended struct {
	cam  *cam
	rec  record.Record
	pred infer.Prediction
	img  image.Image // the classified frame, kept as the camera's latest
	obs  observed    // what only observers use
	seq  uint64
	err  error
}

// work classifies frames from q until q is drained and closed or ctx
// ends. The frame in hand when ctx ends is still classified and appended:
// appends use a context that shutdown does not cancel, and work returns
// only when every append it started has finished, so every result the
// pipeline produced is durable before Run closes the outbox. Results are
// reported (finish) in the order the worker produced them.
func (a *Agent) work(ctx context.Context, stop context.CancelFunc, q *queue, wm *workerModels, box *outbox.Outbox) {
	defer wm.release()
	durable := context.WithoutCancel(ctx)
	pending := make(chan chan appended, maxInFlight)
	var wg sync.WaitGroup // the finisher and every append goroutine
	wg.Go(func() {
		for f := range pending {
			a.finish(stop, <-f)
		}
	})
	defer func() {
		close(pending)
		wg.Wait()
	}()
	for {
		if ctx.Err() != nil || !a.limit.take() {
			return
		}
		j, ok := q.pop(ctx)
		if !ok {
			a.limit.release()
			return
		}
		r, pred, ob, b, ok := a.classify(durable, j, wm)
		if !ok {
			a.inferErrs.Add(1)
			a.limit.release()
			continue
		}
		f := make(chan appended, 1)
		pending <- f
		wg.Go(func() {
			seq, err := box.Append(durable, b)
			f <- appended{cam: j.cam, rec: r, pred: pred, img: j.frame.Image, obs: ob, seq: seq, err: err}
		})
	}
}

// finish accounts for one append: on success it updates the counters and
// the latest result and calls OnResult.
func (a *Agent) finish(stop context.CancelFunc, ap appended) {
	c, r := ap.cam, ap.rec
	if ap.err != nil {
		a.appendErrs.Add(1)
		a.appendOK.Store(false)
		a.mu.Lock()
		a.lastErr = ap.err.Error()
		a.mu.Unlock()
		a.lostLog.lost(a.log, r.Seq, ap.err)
		a.limit.release()
		return
	}
	a.appendOK.Store(true)
	c.results.Add(1)
	if len(r.Top) > 0 {
		a.metrics.results.WithLabelValues(c.cfg.ID, r.Top[0].Label).Inc()
	}
	res := Result{Record: r, OutboxSeq: ap.seq}
	c.mu.Lock()
	if r.Truth != "" && len(r.Top) > 0 {
		c.truthSeen.Add(1)
		if sameLabel(r.Top[0].Label, r.Truth) {
			c.correct.Add(1)
		}
	}
	res.Correct, res.Known = c.correct.Load(), c.truthSeen.Load()
	if len(r.Top) > 0 {
		if c.labels == nil {
			c.labels = map[string]uint64{}
		}
		c.labels[r.Top[0].Label]++
	}
	l := r.LatencyUS
	a.lat.add(time.Duration(l.Preprocess+l.Invoke) * time.Microsecond)
	if c.latest == nil || ap.seq > c.latest.OutboxSeq {
		c.latest = &resultView{Record: r, OutboxSeq: ap.seq}
		c.frame = latestFrame{img: ap.img, seq: ap.seq}
	}
	c.mu.Unlock()
	if a.opts.OnResult != nil {
		a.opts.OnResult(res)
	}
	a.observe(ap)
	if n := a.results.Add(1); a.opts.MaxResults > 0 && n >= a.opts.MaxResults {
		stop()
	}
}

// classify turns one frame into an encoded result record with the
// worker's current model, and runs the shadow candidate on the same frame
// when there is one. Failures are logged and counted; they never stop the
// worker.
func (a *Agent) classify(ctx context.Context, j job, wm *workerModels) (record.Record, infer.Prediction, observed, []byte, bool) {
	c := j.cam
	queued := time.Since(j.enqueued)
	g := wm.current()
	pred, err := g.clfs[wm.i].Classify(ctx, j.frame.Image, a.cfg.Model.TopK)
	if err != nil {
		a.metrics.inferErrors.WithLabelValues(c.cfg.ID).Inc()
		c.log.Warn("classification failed; frame skipped", "seq", j.frame.Seq, "frame", j.frame.Name, "err", err)
		a.observeError(c, g.active.Ref, j, err)
		return record.Record{}, pred, observed{}, nil, false
	}
	ob := observed{emb: keptTensor(g.clfs[wm.i], g.active.Keep)} // before the shadow model runs (monitor.go)
	if g.shadow != nil {
		sp, serr := g.sclfs[wm.i].Classify(ctx, j.frame.Image, a.cfg.Model.TopK)
		if serr == nil && len(sp.Top) > 0 {
			ob.shadow = sp.Top[0].Label
		}
		g.shadowFn(ShadowResult{Camera: c.cfg.ID, Active: pred, Shadow: sp,
			ActiveLatency: pred.Preprocess + pred.Invoke, ShadowLatency: sp.Preprocess + sp.Invoke, Err: serr, Truth: j.frame.Truth})
	}
	a.metrics.latency.WithLabelValues("preprocess").Observe(pred.Preprocess.Seconds())
	a.metrics.latency.WithLabelValues("invoke").Observe(pred.Invoke.Seconds())

	r := record.Record{
		Device: a.cfg.DeviceID,
		Camera: c.cfg.ID,
		Seq:    j.frame.Seq,
		Frame:  j.frame.Name,
		Wall:   j.frame.Wall.UTC(),
		MonoUS: record.US(j.frame.Mono),
		Truth:  j.frame.Truth,
		Model:  g.active.Ref,
		Top:    make([]record.Class, len(pred.Top)),
		LatencyUS: record.Latency{
			Capture:    record.US(j.capture),
			Queue:      record.US(queued),
			Preprocess: record.US(pred.Preprocess),
			Invoke:     record.US(pred.Invoke),
		},
		Config: a.hash,
	}
	if r.Wall.IsZero() {
		r.Wall = time.Now().UTC()
	}
	if r.MonoUS == 0 {
		r.MonoUS = record.US(camera.Since())
	}
	for i, cl := range pred.Top {
		r.Top[i] = record.Class{Label: cl.Label, Index: cl.Index, Score: cl.Score}
	}
	b, err := record.Encode(&r)
	if err != nil {
		a.metrics.inferErrors.WithLabelValues(c.cfg.ID).Inc()
		c.log.Error("result cannot be encoded; frame skipped", "seq", j.frame.Seq, "err", err)
		return record.Record{}, pred, observed{}, nil, false
	}
	return r, pred, ob, b, true
}
