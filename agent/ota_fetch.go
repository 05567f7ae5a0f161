package agent

import (
	"context"
	"strings"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// transports builds the bundle fetchers: HTTP(S) with the configured CA,
// chunked transfer over MQTT when the mqtt section is set, and file:// for
// bundles copied onto the device.
func (f *otaFeature) transports() (ota.Fetcher, error) {
	o := f.a.cfg.OTA
	mux := fetch.NewMux()
	h, err := fetch.NewHTTP(fetch.HTTPOptions{CAFile: o.CAFile, Reserve: int64(o.ReserveBytes), Logger: f.log, UserAgent: "fovea-ota/" + Version})
	if err != nil {
		return nil, err
	}
	mux.Handle("http", h)
	mux.Handle("https", h)
	if m := f.a.cfg.MQTT; m != nil {
		f.chunks, err = fetch.NewMQTT(fetch.MQTTOptions{
			Publisher:    syncerPublisher{f.a},
			RequestTopic: m.TopicPrefix + fetch.RequestSuffix,
			Reserve:      int64(o.ReserveBytes),
			Logger:       f.log,
		})
		if err != nil {
			return nil, err
		}
		mux.Handle("mqtt", f.chunks)
	}
	return ota.FetcherFunc(func(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error {
		if strings.HasPrefix(d.URL, "file://") {
			return ota.FileFetcher{}.Fetch(ctx, d, dst, progress)
		}
		return mux.Fetch(ctx, fetch.Source{URL: d.URL, TransferID: d.Transfer, Size: d.Size, SHA256: d.SHA256}, dst, progress)
	}), nil
}

// syncerPublisher publishes the chunk requests through the running syncer.
type syncerPublisher struct{ a *Agent }

func (p syncerPublisher) Publish(ctx context.Context, m fetch.Message) error {
	s := p.a.Syncer()
	if s == nil {
		return mqttsync.ErrNotConnected
	}
	return s.Publish(ctx, mqttsync.Message{Topic: m.Topic, Payload: m.Payload, Retain: m.Retain})
}
