package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/fovea-edge/fovea/firmware/ota"
)

var (
	descOTAState    = prometheus.NewDesc("fovea_ota_state", "The model update's state (value 1 for the current state).", []string{"state"}, nil)
	descOTAProgress = prometheus.NewDesc("fovea_ota_download_bytes", "Bytes of the bundle being downloaded: held so far (kind=done) and in all (kind=total).", []string{"kind"}, nil)
	descOTADeploy   = prometheus.NewDesc("fovea_ota_last_deployment_id", "Id of the last deployment the device acted on.", nil, nil)
)

// otaCollector reads the update machine's status at scrape time.
type otaCollector struct{ m *ota.Machine }

func (c otaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOTAState
	ch <- descOTAProgress
	ch <- descOTADeploy
}

func (c otaCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.m.Status()
	for _, s := range ota.States() {
		ch <- prometheus.MustNewConstMetric(descOTAState, prometheus.GaugeValue, b2f(s == st.State), string(s))
	}
	ch <- prometheus.MustNewConstMetric(descOTAProgress, prometheus.GaugeValue, float64(st.Progress.Bytes), "done")
	ch <- prometheus.MustNewConstMetric(descOTAProgress, prometheus.GaugeValue, float64(st.Progress.Total), "total")
	ch <- prometheus.MustNewConstMetric(descOTADeploy, prometheus.GaugeValue, float64(st.LastApplied))
}
