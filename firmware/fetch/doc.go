// Package fetch brings an OTA bundle file to a staging path on the device,
// and nothing more: it checks the size and the SHA-256 that the signed
// deployment announced, but verifying the bundle's signature and content
// is package firmware/bundle's job.
//
// Two transports implement [Fetcher]:
//
//   - [HTTP] downloads from any static HTTP(S) server: resumable with Range
//     requests (If-Range guards against a file that changed meanwhile),
//     bounded retries with capped, jittered back-off, TLS with the device's
//     CA bundle, a size cap and a free-disk-space check.
//   - [MQTT] receives a file in chunks over the MQTT broker, for sites where
//     only the broker port is open: the device requests the chunks it lacks
//     from the operator's [ChunkServer], verifies each one and writes it at
//     its offset, and records what it has durably so that a reconnect or a
//     restart resumes where it stopped. See docs/ota.md, "Chunked transfer
//     over MQTT", for the wire format.
//
// Both write to dst+".partial", fsync it, check the whole file's SHA-256
// and only then rename it to dst. A [Mux] picks the transport by the
// source's scheme.
//
// # Wiring on the device
//
// The agent builds the fetchers once, before its MQTT Syncer runs (firmware
// does not import sync/...; the agent adapts the Syncer):
//
//	h, err := fetch.NewHTTP(fetch.HTTPOptions{CAFile: cfg.OTA.CAFile, Logger: log})
//	mq, err := fetch.NewMQTT(fetch.MQTTOptions{
//		Publisher:    syncerPublisher{syncer}, // calls (*mqttsync.Syncer).Publish
//		RequestTopic: syncer.Topic(fetch.RequestSuffix),
//		Logger:       log,
//	})
//	syncer.Subscribe(syncer.Topic(fetch.DataSuffix), func(m mqttsync.Message) {
//		mq.Deliver(fetch.Message{Topic: m.Topic, Payload: m.Payload})
//	})
//	mux := fetch.NewMux()
//	mux.Handle("http", h)
//	mux.Handle("https", h)
//	mux.Handle("mqtt", mq)
//	err = mux.Fetch(ctx, fetch.Source{URL: d.URL, TransferID: d.Transfer, Size: d.Size, SHA256: d.SHA256}, dst, progress)
//
// The operator serves MQTT transfers with a ChunkServer on a plain client
// from package fetchmqtt (see its example).
package fetch
