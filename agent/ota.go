package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fleet"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/sync/mqttsync"
)

// OTA commands, registered on the syncer when the ota section is set.
const (
	CmdModelList     = "model/list"
	CmdModelActivate = "model/activate"
	CmdModelRollback = "model/rollback"
)

// otaFeature is the agent's side of model updates: the store of installed
// versions, the update machine, and the publisher of its status.
type otaFeature struct {
	a       *Agent
	trust   *sign.Trust
	store   *store.Store
	machine *ota.Machine
	log     *slog.Logger
	latest  chan ota.Status // capacity 1: the newest status to publish
	chunks  *fetch.MQTT     // chunked transfers over MQTT; nil without an mqtt section
}

// OTADir is the update machine's directory inside the data directory.
const OTADir = "ota"

// startModel picks the model the agent starts with: the installed version
// store.Resolve names (verified again: signature and hashes), else the
// configured model.path. It opens the store when the ota section is set.
func (a *Agent) startModel() (path, labels string, ref ModelRef, err error) {
	path, labels = a.cfg.Model.Path, a.cfg.Model.Labels
	o := a.cfg.OTA
	if o == nil {
		return path, labels, ref, nil
	}
	trust, err := sign.LoadTrust(o.TrustedKeys)
	if err != nil {
		return "", "", ref, fmt.Errorf("ota.trusted_keys: %w", err)
	}
	log := a.log.With("part", "ota")
	st, err := store.Open(a.cfg.DataDir, trust, bundle.Limits{}, log)
	if err != nil {
		return "", "", ref, err
	}
	f := &otaFeature{a: a, trust: trust, store: st, log: log, latest: make(chan ota.Status, 1)}
	a.ota = f
	v, reason, err := st.Resolve()
	if reason != "" {
		log.Error("installed model refused at start", "reason", reason)
	}
	if errors.Is(err, store.ErrNoActive) {
		return path, labels, ref, nil
	}
	if err != nil {
		return "", "", ref, err
	}
	log.Info("starting on the installed model", "version", v.Version, "sha256", v.SHA256())
	return v.ModelPath(), v.LabelsPath(), refOf(v), nil
}

func refOf(v *store.Version) ModelRef {
	return ModelRef{Name: v.Manifest.Name, Version: v.Version, SHA256: v.SHA256()}
}

// newMachine creates the update machine once the first model is active.
func (f *otaFeature) newMachine() error {
	a, o := f.a, f.a.cfg.OTA
	fetcher, err := f.transports()
	if err != nil {
		return err
	}
	g := o.Gates
	m, err := ota.New(ota.Config{
		Device: a.cfg.DeviceID, Group: o.Group,
		Dir:   filepath.Join(a.cfg.DataDir, OTADir),
		Store: f.store, Trust: f.trust,
		Host:    agentHost{a},
		Fetcher: fetcher,
		Publish: f.publish,
		Gates: deploy.Gates{
			MaxErrorRate: g.MaxErrorRate, MaxLatencyP99: deploy.Duration(g.MaxLatencyP99), MaxLatencyRatio: g.MaxLatencyRatio,
			MinAgreement: g.MinAgreement, MinAccuracy: g.MinAccuracy,
			ShadowFrames: g.ShadowFrames, ShadowDuration: deploy.Duration(g.ShadowDuration),
			ProbationFrames: g.ProbationFrames, ProbationDuration: deploy.Duration(g.ProbationDuration),
			MinFrames: g.MinFrames, SkipShadow: g.SkipShadow,
		},
		AgentVersion:         Version,
		Engine:               a.cfg.Model.Engine,
		Resize:               a.models.copts.Resize,
		Threads:              a.cfg.Model.Threads,
		ReserveBytes:         int64(o.ReserveBytes),
		KeepVersions:         o.KeepVersions,
		MaxProbationRestarts: o.MaxProbationRestarts,
		Log:                  f.log,
	})
	if err != nil {
		return err
	}
	f.machine = m
	a.AddObserver(ObserverFunc(func(ob *Observation) {
		if ob.Err != nil {
			m.ActiveError(ob.Err)
		}
	}))
	a.OnSyncer(f.register)
	return nil
}

// initOTA finishes the OTA set-up in New, after the first model is
// active and the metrics exist.
func (a *Agent) initOTA() error {
	if a.ota == nil {
		return nil
	}
	if err := a.ota.newMachine(); err != nil {
		return err
	}
	a.metrics.reg.MustRegister(otaCollector{a.ota.machine})
	return nil
}

// run runs the machine and the status publisher until ctx ends.
func (f *otaFeature) run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.publishLoop(ctx)
	}()
	f.publish(f.machine.Status())
	if err := f.machine.Run(ctx); err != nil {
		f.log.Error("ota stopped", "err", err)
	}
	<-done
}

// publish queues st for the retained fovea/<device>/ota message; only the
// newest waiting status is kept.
func (f *otaFeature) publish(st ota.Status) {
	st = st.Public()
	for {
		select {
		case f.latest <- st:
			return
		default:
		}
		select {
		case <-f.latest:
		default:
		}
	}
}

// publishLoop publishes queued statuses, retrying the latest one every
// second while the broker is unreachable.
func (f *otaFeature) publishLoop(ctx context.Context) {
	var pending *ota.Status
	retry := time.NewTicker(time.Second)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case st := <-f.latest:
			pending = &st
		case <-retry.C:
		}
		if pending == nil {
			continue
		}
		s := f.a.Syncer()
		if s == nil {
			if f.a.cfg.MQTT == nil {
				pending = nil
			}
			continue
		}
		b, err := json.Marshal(pending)
		if err != nil {
			pending = nil
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = s.Publish(pctx, mqttsync.Message{Topic: s.Topic("ota"), Payload: b, Retain: true})
		cancel()
		if err == nil {
			pending = nil
		} else if !errors.Is(err, mqttsync.ErrNotConnected) {
			f.log.Debug("publishing the OTA status", "err", err)
		}
	}
}

// register subscribes the deployment topics and registers the model
// commands on the syncer.
func (f *otaFeature) register(s *mqttsync.Syncer) {
	onDeploy := func(msg mqttsync.Message) {
		if len(msg.Payload) == 0 {
			return // a cleared retained message
		}
		err := f.machine.Submit(msg.Payload)
		switch {
		case err == nil:
			f.log.Info("deployment accepted", "topic", msg.Topic)
		case errors.Is(err, deploy.ErrReplay), errors.Is(err, deploy.ErrNotForDevice):
			f.log.Debug("deployment ignored", "topic", msg.Topic, "reason", err)
		default:
			f.log.Warn("deployment refused", "topic", msg.Topic, "err", err)
		}
	}
	if f.chunks != nil {
		s.Subscribe(f.chunks.DataTopic(), func(msg mqttsync.Message) {
			f.chunks.Deliver(fetch.Message{Topic: msg.Topic, Payload: msg.Payload, Retain: msg.Retain})
		})
	}
	s.Subscribe(fleet.Topics{Root: f.a.cfg.MQTT.FleetRoot}.Deploy(f.a.cfg.OTA.Group), onDeploy)
	s.Subscribe(s.Topic("deploy"), onDeploy)
	s.Handle(CmdModelList, func(context.Context, mqttsync.Command) (any, error) { return f.list() })
	s.Handle(CmdModelActivate, func(ctx context.Context, c mqttsync.Command) (any, error) {
		var args struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(c.Args, &args); err != nil || args.Version == "" {
			return nil, errors.New(`model/activate: give args {"version": "1.2.0"} (an installed version: see model/list)`)
		}
		if err := f.machine.Activate(ctx, args.Version); err != nil {
			return nil, err
		}
		return f.list()
	})
	s.Handle(CmdModelRollback, func(ctx context.Context, _ mqttsync.Command) (any, error) {
		if err := f.machine.Rollback(ctx); err != nil {
			return nil, err
		}
		return f.list()
	})
}

// ModelVersion is one installed version in model/list.
type ModelVersion struct {
	Version  string    `json:"version"`
	Name     string    `json:"name"`
	SHA256   string    `json:"sha256"`
	Created  time.Time `json:"created"`
	KeyID    string    `json:"key_id"`
	Active   bool      `json:"active,omitempty"`
	Previous bool      `json:"previous,omitempty"`
}

// ModelList is the answer of model/list and its siblings.
type ModelList struct {
	Running  ModelRef       `json:"running"`
	Versions []ModelVersion `json:"versions"`
	OTA      ota.Status     `json:"ota"`
}

func (f *otaFeature) list() (*ModelList, error) {
	vs, err := f.store.List()
	if err != nil {
		return nil, err
	}
	l := &ModelList{Running: f.a.models.Active().Ref, OTA: f.machine.Status().Public(), Versions: []ModelVersion{}}
	for _, v := range vs {
		l.Versions = append(l.Versions, ListEntry(v))
	}
	return l, nil
}

// ListEntry describes an installed version.
func ListEntry(v *store.Version) ModelVersion {
	return ModelVersion{Version: v.Version, Name: v.Manifest.Name, SHA256: v.SHA256(), Created: v.Manifest.Created,
		KeyID: v.Manifest.KeyID, Active: v.Active, Previous: v.Previous}
}

// OTAStatus returns the update machine's status, nil without an ota
// section.
func (a *Agent) OTAStatus() *ota.Status {
	if a.ota == nil || a.ota.machine == nil {
		return nil
	}
	st := a.ota.machine.Status().Public()
	st.History = nil // /api/status stays small; fovea/<device>/ota has it
	return &st
}

// agentHost lets the update machine drive the model holder.
type agentHost struct{ a *Agent }

func (h agentHost) load(v *store.Version) (*LoadedModel, error) {
	if v == nil {
		return h.a.models.Load(h.a.cfg.Model.Path, h.a.cfg.Model.Labels, ModelRef{})
	}
	return h.a.models.Load(v.ModelPath(), v.LabelsPath(), refOf(v))
}

func (h agentHost) Activate(v *store.Version) error {
	m, err := h.load(v)
	if err != nil {
		return err
	}
	if _, err := h.a.models.Activate(m); err != nil {
		return err
	}
	h.a.log.Info("model activated", "name", m.Ref.Name, "version", m.Ref.Version, "sha256", m.Ref.SHA256)
	return nil
}

func (h agentHost) StartShadow(v *store.Version, fn func(active, shadow ota.Outcome, truth string)) error {
	m, err := h.load(v)
	if err != nil {
		return err
	}
	return h.a.models.SetShadow(m, func(r ShadowResult) {
		fn(outcome(r.Active, nil), outcome(r.Shadow, r.Err), r.Truth)
	})
}

func (h agentHost) StopShadow() { h.a.models.ClearShadow() }

func (h agentHost) Input() infer.TensorInfo {
	if in := h.a.models.Active().Info.Inputs; len(in) > 0 {
		return in[0]
	}
	return infer.TensorInfo{}
}

func outcome(p infer.Prediction, err error) ota.Outcome {
	o := ota.Outcome{Latency: p.Preprocess + p.Invoke, Err: err}
	if len(p.Top) > 0 {
		o.Top1, o.Score = p.Top[0].Label, p.Top[0].Score
	}
	return o
}
