package agent

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/sync/mqttsync"
	"github.com/fovea-edge/fovea/sync/outbox"
)

var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// snakeKeys reports every object key in v (decoded JSON) that is not
// snake_case, with its path. Maps keyed by data (label counts) are
// skipped by the caller's choice of skip paths.
func snakeKeys(v any, path string, skip map[string]bool, bad *[]string) {
	switch x := v.(type) {
	case map[string]any:
		if skip[path] {
			return
		}
		for k, e := range x {
			if !snakeKey.MatchString(k) {
				*bad = append(*bad, path+"."+k)
			}
			snakeKeys(e, path+"."+k, skip, bad)
		}
	case []any:
		for _, e := range x {
			snakeKeys(e, path+"[]", skip, bad)
		}
	}
}

// TestJSONSnakeCase: every JSON the agent sends or serves — telemetry
// (as the metrics topic carries it), /api/status, the outbox statistics —
// uses snake_case keys.
func TestJSONSnakeCase(t *testing.T) {
	cfg, err := config.Parse([]byte(`version: 1
device_id: json-test
data_dir: ` + filepath.Join(t.TempDir(), "state") + `
cameras: [{id: shapes, uri: "synthetic:seed=1&count=5", on_full: wait}]
model: {path: ` + shapesModel + `}
http: {listen: "off"}
`))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	box, err := outbox.OpenReadOnly(filepath.Join(cfg.DataDir, OutboxFile), outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stats := box.Stats()
	box.Close()
	for name, v := range map[string]any{
		"telemetry":    mqttsync.Telemetry{V: mqttsync.PayloadVersion, DeviceID: "json-test", Agent: a.Telemetry()},
		"status":       a.Status(),
		"outbox stats": stats,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		var bad []string
		snakeKeys(doc, "", map[string]bool{".agent.cameras[].labels": true, ".cameras[].labels": true}, &bad)
		if len(bad) > 0 {
			t.Errorf("%s JSON has keys that are not snake_case: %v\n%s", name, bad, b)
		}
	}
}
