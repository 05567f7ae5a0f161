package agent

import (
	"github.com/fovea-edge/fovea/monitor"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	descDrift    = prometheus.NewDesc("fovea_drift_score", "The last score of each monitor test per camera (higher is worse; see docs/monitoring.md for each test's thresholds).", []string{"camera", "test"}, nil)
	descAlarm    = prometheus.NewDesc("fovea_alarm", "Raised monitor alarms per camera and kind (drift, decay, camera).", []string{"kind", "camera"}, nil)
	descEstimate = prometheus.NewDesc("fovea_accuracy_estimate", "Estimated top-1 accuracy without labels (method atc or average_confidence).", []string{"camera", "method"}, nil)
	descOnline   = prometheus.NewDesc("fovea_feedback_accuracy_ratio", "Top-1 accuracy over the monitor's window of labelled results (truth and feedback).", []string{"camera"}, nil)
	descEvents   = prometheus.NewDesc("fovea_monitor_events_published_total", "Monitor events published on <prefix>events.", nil, nil)
	descEvDrops  = prometheus.NewDesc("fovea_monitor_events_dropped_total", "Monitor events dropped because too many waited for MQTT.", nil, nil)
	descSamples  = prometheus.NewDesc("fovea_samples_captured_total", "Frames captured for retraining.", nil, nil)
	descRetained = prometheus.NewDesc("fovea_samples_retained", "Captured samples kept on the device.", nil, nil)
)

// monitorCollector reads the monitor's state at scrape time, so results
// cost the metrics nothing.
type monitorCollector struct{ f *monitorFeature }

func (c *monitorCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDrift, descAlarm, descEstimate, descOnline, descEvents, descEvDrops, descSamples, descRetained} {
		ch <- d
	}
}

func (c *monitorCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, s := range c.f.m.Status() {
		for test, v := range s.Scores {
			gauge(descDrift, v, s.Camera, test)
		}
		counts := map[string]int{monitor.KindDrift: 0, monitor.KindDecay: 0, monitor.KindCamera: 0}
		for _, a := range s.Alarms {
			counts[a.Kind]++
		}
		for kind, n := range counts {
			gauge(descAlarm, float64(n), kind, s.Camera)
		}
		if s.Estimate != nil {
			gauge(descEstimate, *s.Estimate, s.Camera, s.EstimateMethod)
		}
		if s.Accuracy != nil {
			gauge(descOnline, *s.Accuracy, s.Camera)
		}
	}
	st := c.f.m.Capturer().Stats()
	ch <- prometheus.MustNewConstMetric(descEvents, prometheus.CounterValue, float64(c.f.published.Load()))
	ch <- prometheus.MustNewConstMetric(descEvDrops, prometheus.CounterValue, float64(c.f.dropped.Load()))
	ch <- prometheus.MustNewConstMetric(descSamples, prometheus.CounterValue, float64(st.Captured))
	gauge(descRetained, float64(st.Retained))
}
