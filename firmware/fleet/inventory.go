package fleet

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/ota"
)

// Device is what the retained messages say about one device.
type Device struct {
	ID string `json:"device"`
	// Online is from fovea/<device>/status; Presence is false when no
	// status was seen.
	Online       bool   `json:"online"`
	Presence     bool   `json:"presence"`
	AgentVersion string `json:"agent_version,omitempty"`
	ModelVersion string `json:"model_version,omitempty"`
	// Group is the group the device's OTA status names (ota.Status.Group;
	// "" when it does not say).
	Group string `json:"group,omitempty"`
	// OTA is the device's update state, nil when it published none (no
	// ota section in its configuration).
	OTA *ota.Status `json:"ota,omitempty"`
}

// Version is the model version the device runs: the OTA status's active
// version, else the one of its online status.
func (d *Device) Version() string {
	if d.OTA != nil && d.OTA.Active != "" {
		return d.OTA.Active
	}
	return d.ModelVersion
}

// statusMessage is the part of fovea/<device>/status the fleet reads
// (sync/mqttsync.Status).
type statusMessage struct {
	State        string `json:"state"`
	AgentVersion string `json:"agent_version"`
	ModelVersion string `json:"model_version"`
}

// Inventory keeps the latest status and OTA state of every device seen.
// Feed it the messages of Topics.StatusFilter and OTAFilter with Deliver; it is
// safe for concurrent use.
type Inventory struct {
	topics  Topics
	mu      sync.Mutex
	devices map[string]*Device // guarded by mu
	last    time.Time          // guarded by mu: last message
	changed chan struct{}      // guarded by mu: closed on a change
}

// NewInventory returns an empty inventory of the devices under t.Root.
func NewInventory(t Topics) *Inventory {
	return &Inventory{topics: t, devices: map[string]*Device{}, changed: make(chan struct{})}
}

// Watch subscribes c to the status and OTA topics of all devices.
func (inv *Inventory) Watch(c Client) {
	c.Subscribe(inv.topics.StatusFilter(), inv.Deliver)
	c.Subscribe(inv.topics.OTAFilter(), inv.Deliver)
}

// Deliver takes one message of the status or OTA filter. Malformed
// payloads are ignored: any client with broker access can publish there,
// and a device's next message repairs the view.
func (inv *Inventory) Deliver(m fetch.Message) {
	if dev, ok := inv.topics.deviceOf(m.Topic, "status"); ok {
		var s statusMessage
		if len(m.Payload) > 0 && json.Unmarshal(m.Payload, &s) != nil {
			return
		}
		inv.update(dev, func(d *Device) {
			d.Presence = len(m.Payload) > 0
			d.Online = s.State == "online"
			d.AgentVersion, d.ModelVersion = s.AgentVersion, s.ModelVersion
		})
		return
	}
	if dev, ok := inv.topics.deviceOf(m.Topic, "ota"); ok {
		var o ota.Status
		if len(m.Payload) > 0 && json.Unmarshal(m.Payload, &o) != nil {
			return
		}
		inv.update(dev, func(d *Device) {
			if len(m.Payload) == 0 {
				d.OTA, d.Group = nil, ""
				return
			}
			d.OTA, d.Group = &o, o.Group
		})
	}
}

func (inv *Inventory) update(id string, fn func(*Device)) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	d := inv.devices[id]
	if d == nil {
		d = &Device{ID: id}
		inv.devices[id] = d
	}
	fn(d)
	inv.last = time.Now()
	close(inv.changed)
	inv.changed = make(chan struct{})
}

// Changed returns a channel that is closed at the next change.
func (inv *Inventory) Changed() <-chan struct{} {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.changed
}

// Devices returns a copy of every device seen, sorted by id.
func (inv *Inventory) Devices() []Device {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := make([]Device, 0, len(inv.devices))
	for _, d := range inv.devices {
		c := *d
		if d.OTA != nil {
			st := *d.OTA
			c.OTA = &st
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Device) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

// Device returns device id, and whether it was seen.
func (inv *Inventory) Device(id string) (Device, bool) {
	for _, d := range inv.Devices() {
		if d.ID == id {
			return d, true
		}
	}
	return Device{}, false
}

// Members returns the devices of group: those whose OTA status names it,
// or, when only is not empty, those it lists (seen or not).
func (inv *Inventory) Members(group string, only []string) []Device {
	all := inv.Devices()
	var out []Device
	if len(only) > 0 {
		byID := map[string]Device{}
		for _, d := range all {
			byID[d.ID] = d
		}
		for _, id := range slices.Sorted(slices.Values(only)) {
			d, ok := byID[id]
			if !ok {
				d = Device{ID: id}
			}
			out = append(out, d)
		}
		return slices.CompactFunc(out, func(a, b Device) bool { return a.ID == b.ID })
	}
	for _, d := range all {
		if d.Group == group {
			out = append(out, d)
		}
	}
	return out
}

// Settle waits until the retained messages have arrived: until no message
// came for quiet, at most max. The broker sends retained messages right
// after the subscription, so a short quiet period means they are in.
func (inv *Inventory) Settle(ctx context.Context, quiet, max time.Duration) {
	deadline := time.Now().Add(max)
	start := time.Now()
	for {
		inv.mu.Lock()
		last := inv.last
		inv.mu.Unlock()
		if last.Before(start) {
			last = start
		}
		wait := time.Until(last.Add(quiet))
		if wait <= 0 || time.Now().After(deadline) {
			return
		}
		t := time.NewTimer(min(wait, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
