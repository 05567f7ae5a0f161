package agent

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the agent's Prometheus metrics, in a registry of its own
// (never the global one, so tests and embedders get a clean set).
type metrics struct {
	reg         *prometheus.Registry
	latency     *prometheus.HistogramVec // stage
	results     *prometheus.CounterVec   // camera, label (top-1)
	inferErrors *prometheus.CounterVec   // camera
}

func newMetrics(a *Agent) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fovea_inference_duration_seconds",
			Help:    "Time per frame in each inference stage: preprocess (resize, convert, quantize) and invoke (the interpreter).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5 ms … 16 s
		}, []string{"stage"}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fovea_results_total",
			Help: "Results made durable in the outbox, by camera and top-1 label.",
		}, []string{"camera", "label"}),
		inferErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fovea_inference_errors_total",
			Help: "Frames that could not be classified or encoded.",
		}, []string{"camera"}),
	}
	m.reg.MustRegister(
		m.latency, m.results, m.inferErrors,
		&agentCollector{a: a},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	for _, c := range a.cams {
		m.inferErrors.WithLabelValues(c.cfg.ID)
	}
	return m
}

var (
	descCaptured   = prometheus.NewDesc("fovea_frames_captured_total", "Frames the camera delivered to the pipeline.", []string{"camera"}, nil)
	descDropped    = prometheus.NewDesc("fovea_frames_dropped_total", "Frames dropped: reason=queue when the camera's queue was full (drop-oldest), reason=source when the source dropped them.", []string{"camera", "reason"}, nil)
	descSkipped    = prometheus.NewDesc("fovea_frames_skipped_total", "Frames the source skipped because they could not be read (e.g. a corrupt image file).", []string{"camera"}, nil)
	descReconnects = prometheus.NewDesc("fovea_camera_reconnects_total", "Successful reconnections after the camera was lost.", []string{"camera"}, nil)
	descCamErrors  = prometheus.NewDesc("fovea_camera_errors_total", "Camera errors: failed opens, lost connections, failed reconnects.", []string{"camera"}, nil)
	descCamUp      = prometheus.NewDesc("fovea_camera_up", "1 when the camera delivered a frame within pipeline.stale_after.", []string{"camera"}, nil)
	descCamState   = prometheus.NewDesc("fovea_camera_state", "The camera's state (value 1 for the current state).", []string{"camera", "state"}, nil)
	descFrameAge   = prometheus.NewDesc("fovea_camera_last_frame_age_seconds", "Seconds since the camera's last frame (or since it was opened).", []string{"camera"}, nil)
	descQueue      = prometheus.NewDesc("fovea_queue_frames", "Frames waiting for inference.", []string{"camera"}, nil)
	descAccuracy   = prometheus.NewDesc("fovea_accuracy_ratio", "Running top-1 accuracy over the results whose frame had a truth label.", []string{"camera"}, nil)
	descModel      = prometheus.NewDesc("fovea_model_info", "The loaded model (value 1).", []string{"name", "version", "sha256", "engine"}, nil)
	descBuild      = prometheus.NewDesc("fovea_build_info", "Build of this agent (value 1).", []string{"version", "commit", "goversion"}, nil)
	descOBRecords  = prometheus.NewDesc("fovea_outbox_records", "Results stored in the outbox, waiting for sync.", nil, nil)
	descOBBytes    = prometheus.NewDesc("fovea_outbox_bytes", "Bytes of results stored in the outbox.", nil, nil)
	descOBFile     = prometheus.NewDesc("fovea_outbox_file_bytes", "Size of the outbox file on disk.", nil, nil)
	descOBEvicted  = prometheus.NewDesc("fovea_outbox_evicted_total", "Results evicted unsent because the outbox reached its size or count cap.", nil, nil)
	descOBAppended = prometheus.NewDesc("fovea_outbox_appended_total", "Results ever appended to the outbox file.", nil, nil)
	descOBAppErr   = prometheus.NewDesc("fovea_outbox_append_errors_total", "Appends that failed (the result was lost).", nil, nil)
	descOBWritable = prometheus.NewDesc("fovea_outbox_writable", "1 when the outbox is open and the last append succeeded.", nil, nil)
)

var allCamStates = []string{stateOpening, stateRetrying, stateFailed, "starting", "fresh", "stale", "ended"}

// agentCollector reads the cameras' and the outbox's counters at scrape
// time, so they are counted in one place only.
type agentCollector struct{ a *Agent }

func (c *agentCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCaptured, descDropped, descSkipped, descReconnects, descCamErrors, descCamUp,
		descCamState, descFrameAge, descQueue, descAccuracy, descModel, descBuild,
		descOBRecords, descOBBytes, descOBFile, descOBEvicted, descOBAppended, descOBAppErr, descOBWritable} {
		ch <- d
	}
}

func (c *agentCollector) Collect(ch chan<- prometheus.Metric) {
	a := c.a
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, cm := range a.cams {
		id := cm.cfg.ID
		state, h := cm.health()
		counter(descCaptured, cm.captured.Load(), id)
		counter(descDropped, cm.dropped.Load(), id, "queue")
		counter(descDropped, h.Stats.Dropped, id, "source")
		counter(descSkipped, h.Stats.Skipped, id)
		counter(descReconnects, h.Stats.Reconnects, id)
		counter(descCamErrors, h.Stats.Errors+cm.openFails.Load(), id)
		gauge(descCamUp, b2f(state == "fresh"), id)
		for _, s := range allCamStates {
			gauge(descCamState, b2f(s == state), id, s)
		}
		gauge(descFrameAge, h.LastFrameAge.Seconds(), id)
		gauge(descQueue, float64(a.queueLen(cm)), id)
		if n := cm.truthSeen.Load(); n > 0 {
			gauge(descAccuracy, float64(cm.correct.Load())/float64(n), id)
		}
	}
	ref := a.models.Active().Ref
	gauge(descModel, 1, ref.Name, ref.Version, ref.SHA256, a.engine)
	gauge(descBuild, 1, Version, Commit(), runtime.Version())
	st, open := a.outboxStats()
	gauge(descOBRecords, float64(st.Count))
	gauge(descOBBytes, float64(st.Bytes))
	gauge(descOBFile, float64(st.FileBytes))
	counter(descOBEvicted, st.Evicted)
	counter(descOBAppended, st.Appended)
	counter(descOBAppErr, a.appendErrs.Load())
	gauge(descOBWritable, b2f(open && a.appendOK.Load()))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
