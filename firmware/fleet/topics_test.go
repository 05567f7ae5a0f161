package fleet

import (
	"strings"
	"testing"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/internal/base/mqttutil"
)

// TestTopics: every topic of a fleet lives under its root, the filters
// match exactly the devices' own topics (mqtt.topic_prefix
// <root><device>/), and the zero value is the default root.
func TestTopics(t *testing.T) {
	for _, root := range []string{"", "fovea/", "plant3/line2/"} {
		tp := Topics{Root: root}
		r := root
		if r == "" {
			r = DefaultRoot
		}
		for _, topic := range []string{tp.StatusFilter(), tp.OTAFilter(), tp.Deploy("lab"), tp.Rollout("lab"), tp.Command("cam-1", RollbackCommand), fetch.RequestFilterUnder(root)} {
			if !strings.HasPrefix(topic, r) {
				t.Errorf("root %q: %q is not under the root", root, topic)
			}
		}
		prefix := r + "cam-1/"
		for _, c := range []struct {
			filter, topic string
			want          bool
		}{
			{tp.StatusFilter(), prefix + "status", true},
			{tp.OTAFilter(), prefix + "ota", true},
			{fetch.RequestFilterUnder(root), prefix + fetch.RequestSuffix, true},
			{tp.StatusFilter(), "other/cam-1/status", false},
			{tp.OTAFilter(), r + "a/b/ota", false},
		} {
			if got := mqttutil.MatchTopic(c.filter, c.topic); got != c.want {
				t.Errorf("root %q: Match(%q, %q) = %v; want %v", root, c.filter, c.topic, got, c.want)
			}
		}
		for _, c := range []struct {
			topic, suffix, dev string
			ok                 bool
		}{
			{prefix + "status", "status", "cam-1", true},
			{prefix + "ota", "ota", "cam-1", true},
			{r + "groups/ota", "ota", "", false},
			{r + "a/b/ota", "ota", "", false},
			{"elsewhere/cam-1/ota", "ota", "", false},
			{r + "/ota", "ota", "", false},
		} {
			dev, ok := tp.deviceOf(c.topic, c.suffix)
			if dev != c.dev || ok != c.ok {
				t.Errorf("root %q: deviceOf(%q, %q) = %q, %v; want %q, %v", root, c.topic, c.suffix, dev, ok, c.dev, c.ok)
			}
		}
	}
}

func TestCheckRoot(t *testing.T) {
	for _, c := range []struct {
		root, err string
	}{
		{"fovea/", ""},
		{"plant3/line2/", ""},
		{"", "empty"},
		{"fovea", "must end with '/'"},
		{"a/+/", "wildcards"},
		{"a/#/", "wildcards"},
		{"/a/", "empty levels"},
		{"a//", "empty levels"},
	} {
		err := CheckRoot(c.root)
		if (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("CheckRoot(%q) = %v; want %q", c.root, err, c.err)
		}
	}
}
