package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
	"github.com/fovea-edge/fovea/firmware/ota"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/internal/testutil/mosquittotest"
)

// simDevice speaks the device side of the retained-topic protocol, so the
// operator logic can be tested on its own: it takes signed deployments for
// its group from the group topic, walks the update states, publishes its
// status on fovea/<id>/ota (retained, with its group) and answers
// model/rollback. The real agent is tested in cmd/fovea (fleet_test.go).
type simDevice struct {
	t     *testing.T
	id    string
	group string
	trust *sign.Trust
	conn  *fetchmqtt.Conn
	// fail maps a version to the gate failure the device reports for it.
	fail map[string]string
	// mq fetches bundles of MQTT transfers into dir.
	mq  *fetch.MQTT
	dir string

	mu       sync.Mutex
	st       ota.Status // guarded by mu
	received []uint64   // guarded by mu: deployment ids taken
	wg       sync.WaitGroup
}

func startSim(t *testing.T, b *mosquittotest.Broker, id, group string, trust *sign.Trust, fail map[string]string) *simDevice {
	t.Helper()
	d := &simDevice{t: t, id: id, group: group, trust: trust, fail: fail, st: ota.Status{Device: id, Group: group, State: ota.Idle, Active: "1.0.0"}}
	conn, err := fetchmqtt.Dial(context.Background(), fetchmqtt.Options{Broker: b.URL(), ClientID: "sim-" + id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.conn = conn
	t.Cleanup(func() { d.wg.Wait(); conn.Close(context.Background()) })
	d.publish(conn, "fovea/"+id+"/status", fmt.Sprintf(`{"v":1,"device_id":%q,"state":"online","model_version":"1.0.0"}`, id))
	d.publishOTA()
	mq, err := fetch.NewMQTT(fetch.MQTTOptions{Publisher: conn, RequestTopic: "fovea/" + id + "/" + fetch.RequestSuffix})
	if err != nil {
		t.Fatal(err)
	}
	d.mq, d.dir = mq, t.TempDir()
	conn.Subscribe(mq.DataTopic(), mq.Deliver)
	conn.Subscribe(Topics{}.Deploy(group), d.onDeploy)
	conn.Subscribe(Topics{}.Command(id, RollbackCommand), d.onRollback)
	return d
}

func (d *simDevice) publish(c *fetchmqtt.Conn, topic, payload string) {
	if err := c.Publish(context.Background(), fetch.Message{Topic: topic, Payload: []byte(payload), Retain: true}); err != nil {
		d.t.Errorf("%s: publish %s: %v", d.id, topic, err)
	}
}

func (d *simDevice) publishOTA() {
	d.mu.Lock()
	b, _ := json.Marshal(d.st)
	d.mu.Unlock()
	d.publish(d.conn, "fovea/"+d.id+"/ota", string(b))
}

func (d *simDevice) set(fn func(st *ota.Status)) {
	d.mu.Lock()
	fn(&d.st)
	d.st.Since = time.Now().UTC()
	d.mu.Unlock()
	d.publishOTA()
}

func (d *simDevice) onDeploy(m fetch.Message) {
	if len(m.Payload) == 0 {
		return
	}
	dep, err := deploy.Decode(m.Payload, d.trust)
	if err != nil {
		d.t.Errorf("%s: deployment refused: %v", d.id, err)
		return
	}
	d.mu.Lock()
	err = dep.AppliesTo(deploy.Target{Device: d.id, Group: d.group, LastID: d.st.LastApplied, Now: time.Now()})
	if err == nil {
		d.received = append(d.received, dep.ID)
		d.st.LastApplied, d.st.Deployment, d.st.Version = dep.ID, dep.ID, dep.Version
	}
	d.mu.Unlock()
	if err != nil {
		return
	}
	d.wg.Go(func() { d.update(dep) })
}

// update walks the states as the real machine does, quickly.
func (d *simDevice) update(dep *deploy.Deployment) {
	for _, s := range []ota.State{ota.Downloading, ota.Verifying, ota.SelfTest, ota.Shadow} {
		d.set(func(st *ota.Status) { st.State, st.Reason = s, "" })
		time.Sleep(5 * time.Millisecond)
		if s != ota.Downloading {
			continue
		}
		if dep.Transfer != "" {
			// Really fetch it from the operator's chunk server.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			err := d.mq.Fetch(ctx, fetch.Source{TransferID: dep.Transfer, Size: dep.Size, SHA256: dep.SHA256}, filepath.Join(d.dir, dep.SHA256), nil)
			cancel()
			if err != nil {
				d.set(func(st *ota.Status) { st.State, st.Reason = ota.Failed, err.Error() })
				return
			}
		}
		d.set(func(st *ota.Status) { st.Progress = ota.Progress{Bytes: dep.Size, Total: dep.Size, Percent: 100} })
	}
	if why, bad := d.fail[dep.Version]; bad {
		d.set(func(st *ota.Status) { st.State, st.Reason = ota.Failed, "shadow: "+why })
		return
	}
	d.set(func(st *ota.Status) {
		st.State, st.Previous, st.Active, st.Reason = ota.Probation, st.Active, dep.Version, "watching it"
	})
	time.Sleep(5 * time.Millisecond)
	d.set(func(st *ota.Status) { st.State, st.Reason = ota.Committed, "probation passed" })
}

func (d *simDevice) onRollback(m fetch.Message) {
	d.set(func(st *ota.Status) {
		if st.Previous != "" {
			st.Active, st.Previous = st.Previous, ""
		}
		st.State, st.Reason = ota.RolledBack, "rolled back by the operator to "+st.Active
	})
}

func (d *simDevice) status() ota.Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st
}

func (d *simDevice) deployments() []uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]uint64(nil), d.received...)
}

// operator connects an operator client with a watching inventory.
func operator(t *testing.T, b *mosquittotest.Broker) (*fetchmqtt.Conn, *Inventory) {
	t.Helper()
	conn, err := fetchmqtt.Dial(context.Background(), fetchmqtt.Options{Broker: b.URL(), ClientID: fmt.Sprintf("op-%d", time.Now().UnixNano())}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	inv := NewInventory(Topics{})
	inv.Watch(conn)
	inv.Settle(context.Background(), 200*time.Millisecond, 3*time.Second)
	return conn, inv
}

// retained reads the retained message of topic on a fresh client.
func retained(t *testing.T, b *mosquittotest.Broker, topic string) []byte {
	t.Helper()
	got := make(chan []byte, 1)
	conn, err := fetchmqtt.Dial(context.Background(), fetchmqtt.Options{Broker: b.URL(), ClientID: fmt.Sprintf("peek-%d", time.Now().UnixNano())},
		map[string]func(fetch.Message){topic: func(m fetch.Message) {
			select {
			case got <- m.Payload:
			default:
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	select {
	case p := <-got:
		return p
	case <-time.After(time.Second):
		return nil
	}
}
