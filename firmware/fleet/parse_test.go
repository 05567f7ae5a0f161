package fleet

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/fetch"
)

func TestParseStages(t *testing.T) {
	tests := []struct {
		spec string
		want []Stage
		err  string
	}{
		{"1,10%,100%", []Stage{{Spec: "1", Count: 1}, {Spec: "10%", Percent: 10}, {Spec: "100%", Percent: 100}}, ""},
		{" 5 , 50% ", []Stage{{Spec: "5", Count: 5}, {Spec: "50%", Percent: 50}}, ""},
		{"0.5%", []Stage{{Spec: "0.5%", Percent: 0.5}}, ""},
		{"", nil, "device count"},
		{"0", nil, "device count"},
		{"-1", nil, "device count"},
		{"150%", nil, "share"},
		{"0%", nil, "share"},
		{"NaN%", nil, "share"},
		{"ten", nil, "device count"},
	}
	for _, tt := range tests {
		got, err := ParseStages(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseStages(%q) = %v; want an error about %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseStages(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func devs(n int) []string {
	var out []string
	for i := n - 1; i >= 0; i-- { // reverse order: Assign sorts
		out = append(out, fmt.Sprintf("d%02d", i))
	}
	return out
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		stages string
		done   [][]string
		want   []int // new devices per stage
	}{
		{"fifty", 50, "1,10%,100%", nil, []int{1, 4, 45}},
		{"eight", 8, "1,10%,100%", nil, []int{1, 0, 7}},
		{"one device", 1, "1,10%,100%", nil, []int{1, 0, 0}},
		{"counts", 10, "2,5", nil, []int{2, 3}},
		{"stops short of everyone", 10, "1,50%", nil, []int{1, 4}},
		{"share rounds up", 7, "10%,100%", nil, []int{1, 6}},
		{"resumed keeps earlier stages", 6, "1,50%,100%", [][]string{{"d05"}}, []int{1, 2, 3}},
		{"empty group", 0, "1,100%", nil, []int{0, 0}},
	}
	for _, tt := range tests {
		st, err := ParseStages(tt.stages)
		if err != nil {
			t.Fatal(err)
		}
		got := Assign(devs(tt.n), st, tt.done)
		var sizes []int
		seen := map[string]bool{}
		for _, s := range got {
			sizes = append(sizes, len(s))
			for _, d := range s {
				if seen[d] {
					t.Errorf("%s: %s in two stages", tt.name, d)
				}
				seen[d] = true
			}
		}
		if !reflect.DeepEqual(sizes, tt.want) {
			t.Errorf("%s: Assign sizes %v; want %v (%v)", tt.name, sizes, tt.want, got)
		}
		if tt.done != nil && !reflect.DeepEqual(got[0], tt.done[0]) {
			t.Errorf("%s: first stage %v; want the recorded %v", tt.name, got[0], tt.done[0])
		}
	}
	if got := Assign(devs(3), []Stage{{Spec: "1", Count: 1}}, nil); got[0][0] != "d00" {
		t.Errorf("canary %v; want the first id in sorted order", got[0])
	}
}

func TestParseGates(t *testing.T) {
	tests := []struct {
		spec   string
		gates  deploy.Gates
		policy Policy
		err    string
	}{
		{"", deploy.Gates{}, Policy{}, ""},
		{"max_error_rate=0.05,min_agreement=90%,max_failure_rate=10%",
			deploy.Gates{MaxErrorRate: 0.05, MinAgreement: 0.9}, Policy{MaxFailureRate: 0.1}, ""},
		{"shadow_frames=200,shadow_duration=2m,max_latency_p99=40ms,skip_shadow=true,max_latency_ratio=2.5",
			deploy.Gates{ShadowFrames: 200, ShadowDuration: deploy.Duration(2 * time.Minute), MaxLatencyP99: deploy.Duration(40 * time.Millisecond), SkipShadow: true, MaxLatencyRatio: 2.5}, Policy{}, ""},
		{"probation_frames=10,probation_duration=30s,min_frames=5,min_accuracy=0.8",
			deploy.Gates{ProbationFrames: 10, ProbationDuration: deploy.Duration(30 * time.Second), MinFrames: 5, MinAccuracy: 0.8}, Policy{}, ""},
		{"max_error_rate=1.5", deploy.Gates{}, Policy{}, "fraction"},
		{"min_agreement=-0.1", deploy.Gates{}, Policy{}, "fraction"},
		{"shadow_frames=-3", deploy.Gates{}, Policy{}, "whole number"},
		{"shadow_duration=ten", deploy.Gates{}, Policy{}, "duration"},
		{"max_errors=1", deploy.Gates{}, Policy{}, "max_error_rate"},
		{"min_agreement", deploy.Gates{}, Policy{}, "key=value"},
	}
	for _, tt := range tests {
		g, p, err := ParseGates(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseGates(%q) = %v; want an error about %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || g != tt.gates || p != tt.policy {
			t.Errorf("ParseGates(%q) = %+v, %+v, %v; want %+v, %+v", tt.spec, g, p, err, tt.gates, tt.policy)
		}
	}
}

func TestInventory(t *testing.T) {
	inv := NewInventory(Topics{})
	for _, m := range []fetch.Message{
		{Topic: "fovea/cam-1/status", Payload: []byte(`{"v":1,"state":"online","model_version":"1.0.0","agent_version":"0.9.0"}`)},
		{Topic: "fovea/cam-1/ota", Payload: []byte(`{"state":"shadow","version":"1.1.0","active":"1.0.0","last_applied":7,"deployment":7,"group":"lab","reason":"self-test passed"}`)},
		{Topic: "fovea/cam-2/status", Payload: []byte(`{"v":1,"state":"offline"}`)},
		{Topic: "fovea/cam-2/ota", Payload: []byte(`{"state":"committed","active":"1.1.0","group":"garage"}`)},
		{Topic: "fovea/cam-3/ota", Payload: []byte(`not json`)},
		{Topic: "fovea/groups/lab/ota", Payload: []byte(`{"state":"idle","group":"lab"}`)},
		{Topic: "fovea/cam-4/ota", Payload: []byte(`{"state":"idle","active":"","group":"lab"}`)},
		{Topic: "fovea/cam-4/ota", Payload: nil}, // cleared
	} {
		inv.Deliver(m)
	}
	lab := inv.Members("lab", nil)
	if len(lab) != 1 || lab[0].ID != "cam-1" {
		t.Fatalf("Members(lab) = %+v; want cam-1 (cam-4 cleared its status)", lab)
	}
	c1 := lab[0]
	if !c1.Online || !c1.Presence || c1.Version() != "1.0.0" || c1.OTA.State != "shadow" || c1.OTA.Deployment != 7 {
		t.Errorf("cam-1 = %+v", c1)
	}
	if c4, ok := inv.Device("cam-4"); !ok || c4.OTA != nil || c4.Group != "" {
		t.Errorf("cam-4 = %+v after its retained status was cleared", c4)
	}
	if c2, _ := inv.Device("cam-2"); c2.Online || !c2.Presence || c2.Version() != "1.1.0" {
		t.Errorf("cam-2 = %+v", c2)
	}
	if _, ok := inv.Device("cam-3"); ok {
		t.Error("cam-3 with a malformed status is listed")
	}
	if got := inv.Members("lab", []string{"cam-9", "cam-1", "cam-1"}); len(got) != 2 || got[0].ID != "cam-1" || got[1].ID != "cam-9" {
		t.Errorf("Members with an explicit list = %+v", got)
	}
}

// FuzzInventoryDeliver feeds arbitrary retained payloads (anyone with
// broker access can publish them) to the inventory and the state reader.
func FuzzInventoryDeliver(f *testing.F) {
	f.Add("fovea/a/ota", []byte(`{"state":"committed","active":"1.1.0","group":"lab","Progress":{"bytes":1}}`))
	f.Add("fovea/a/status", []byte(`{"v":1,"state":"online"}`))
	f.Add("fovea/groups/lab/rollout", []byte(`{"v":1,"phase":"running","stage":5,"stages":[]}`))
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		inv := NewInventory(Topics{})
		inv.Deliver(fetch.Message{Topic: topic, Payload: payload})
		for _, d := range inv.Members("lab", nil) {
			_ = d.Version()
		}
		var w stateWatch
		w.deliver(fetch.Message{Topic: topic, Payload: payload})
		if st, err := w.get(); st != nil && err != nil {
			t.Fatalf("state and error both set")
		}
	})
}
