package mqttsync

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Prometheus metrics of a Syncer (namespace fovea_mqtt).
type metrics struct {
	connected        prometheus.Gauge
	connects         prometheus.Counter
	connErrors       prometheus.Counter
	published        *prometheus.CounterVec // by topic kind
	publishedBytes   *prometheus.CounterVec // payload bytes, by topic kind
	delivered        prometheus.Counter
	publishFailures  *prometheus.CounterVec // by reason
	rejected         *prometheus.CounterVec // by PUBACK reason code
	droppedRecords   prometheus.Counter
	commands         *prometheus.CounterVec // by command and outcome
	commandsDropped  *prometheus.CounterVec // by reason
	lastPublish      prometheus.Gauge
	ackedSeq         prometheus.Gauge
	wireSent, wireRx prometheus.CounterFunc
}

func newMetrics(reg prometheus.Registerer, wire func() (int64, int64)) (*metrics, error) {
	const ns, sub = "fovea", "mqtt"
	m := &metrics{
		connected:       prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "connected", Help: "1 while the connection to the broker is up."}),
		connects:        prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "connects_total", Help: "Successful connections to the broker."}),
		connErrors:      prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "connection_errors_total", Help: "Failed connection attempts and lost connections."}),
		published:       prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "published_messages_total", Help: "Messages acknowledged by the broker, by topic kind."}, []string{"kind"}),
		publishedBytes:  prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "published_payload_bytes_total", Help: "Payload bytes acknowledged by the broker, by topic kind."}, []string{"kind"}),
		delivered:       prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "results_delivered_total", Help: "Outbox records acknowledged by the broker and acked in the outbox."}),
		publishFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "publish_failures_total", Help: "Publishes not acknowledged, by reason (rejected, not_connected, timeout, error)."}, []string{"reason"}),
		rejected:        prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "publish_rejected_total", Help: "Publishes refused by the broker (MQTT 5 PUBACK reason code >= 0x80), by code."}, []string{"code"}),
		droppedRecords:  prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "records_dropped_total", Help: "Outbox records sent as an error entry because they were not valid JSON or too large for any message."}),
		commands:        prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "commands_total", Help: "Commands answered, by command and outcome."}, []string{"command", "outcome"}),
		commandsDropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "commands_dropped_total", Help: "Incoming command messages dropped without a reply, by reason."}, []string{"reason"}),
		lastPublish:     prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "last_publish_timestamp_seconds", Help: "Unix time of the last acknowledged results publish."}),
		ackedSeq:        prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "acked_seq", Help: "Newest outbox sequence delivered and acked."}),
	}
	m.wireSent = prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "wire_sent_bytes_total", Help: "Bytes written to the broker connection (MQTT framing and TLS included)."},
		func() float64 { s, _ := wire(); return float64(s) })
	m.wireRx = prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "wire_received_bytes_total", Help: "Bytes read from the broker connection."},
		func() float64 { _, r := wire(); return float64(r) })
	for _, c := range []prometheus.Collector{m.connected, m.connects, m.connErrors, m.published, m.publishedBytes, m.delivered,
		m.publishFailures, m.rejected, m.droppedRecords, m.commands, m.commandsDropped, m.lastPublish, m.ackedSeq, m.wireSent, m.wireRx} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}
