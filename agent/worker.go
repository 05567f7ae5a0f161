package agent

import (
	"context"
	"time"

	"github.com/fovea-edge/fovea/agent/record"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/sync/outbox"
)

// work classifies frames from q until q is drained and closed or ctx
// ends. The frame in hand when ctx ends is still classified and appended:
// appends use a context that shutdown does not cancel, so that every
// result the pipeline produced is durable before Run returns.
func (a *Agent) work(ctx context.Context, stop context.CancelFunc, q *queue, clf *infer.Classifier, box *outbox.Outbox) {
	durable := context.WithoutCancel(ctx)
	for {
		if ctx.Err() != nil {
			return
		}
		j, ok := q.pop(ctx)
		if !ok {
			return
		}
		res, ok := a.classify(durable, j, clf, box)
		if !ok {
			continue
		}
		if a.opts.OnResult != nil {
			a.opts.OnResult(res)
		}
		if n := a.results.Add(1); a.opts.MaxResults > 0 && n >= a.opts.MaxResults {
			stop()
		}
	}
}

// classify turns one frame into a durable result. Failures are logged,
// counted and reflected in health; they never stop the worker.
func (a *Agent) classify(ctx context.Context, j job, clf *infer.Classifier, box *outbox.Outbox) (Result, bool) {
	c := j.cam
	queued := time.Since(j.enqueued)
	pred, err := clf.Classify(ctx, j.frame.Image, a.cfg.Model.TopK)
	if err != nil {
		a.metrics.inferErrors.WithLabelValues(c.cfg.ID).Inc()
		c.log.Warn("classification failed; frame skipped", "seq", j.frame.Seq, "frame", j.frame.Name, "err", err)
		return Result{}, false
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
		Model:  record.Model{Name: a.info.Name, Version: a.info.Version, SHA256: a.info.SHA256},
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
		return Result{}, false
	}
	seq, err := box.Append(ctx, b)
	if err != nil {
		a.appendErrs.Add(1)
		a.appendOK.Store(false)
		a.mu.Lock()
		a.lastErr = err.Error()
		a.mu.Unlock()
		c.log.Error("result lost: outbox append failed", "seq", j.frame.Seq, "err", err)
		return Result{}, false
	}
	a.appendOK.Store(true)

	res := Result{Record: r, OutboxSeq: seq}
	c.results.Add(1)
	if len(r.Top) > 0 {
		a.metrics.results.WithLabelValues(c.cfg.ID, r.Top[0].Label).Inc()
	}
	if r.Truth != "" && len(r.Top) > 0 {
		c.truthSeen.Add(1)
		if sameLabel(r.Top[0].Label, r.Truth) {
			c.correct.Add(1)
		}
	}
	res.Correct, res.Known = c.correct.Load(), c.truthSeen.Load()
	c.mu.Lock()
	c.latest = &resultView{Record: r, OutboxSeq: seq}
	c.mu.Unlock()
	return res, true
}
