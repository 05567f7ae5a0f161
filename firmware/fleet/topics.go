package fleet

import (
	"context"
	"fmt"
	"strings"

	"github.com/fovea-edge/fovea/firmware/fetch"
)

// Client is the operator's MQTT connection: QoS 1 publish (retained when
// asked) and subscriptions that hold across reconnects.
// firmware/fetch/fetchmqtt.Conn implements it.
type Client interface {
	Publish(ctx context.Context, m fetch.Message) error
	Subscribe(filter string, fn func(fetch.Message))
}

// DefaultRoot is the topic root of a fleet whose devices keep the default
// mqtt.topic_prefix, fovea/<device>/.
const DefaultRoot = "fovea/"

// Topics names a fleet's MQTT topics under one root: devices publish
// under <root><device>/ (their mqtt.topic_prefix) and take their group's
// deployments from <root>groups/<group>/ (their mqtt.fleet_root). The
// zero value uses DefaultRoot.
type Topics struct {
	// Root ends in '/' and holds no wildcard (CheckRoot).
	Root string
}

// CheckRoot reports what is wrong with a topic root, nil when it can
// prefix a fleet's topics.
func CheckRoot(root string) error {
	switch {
	case root == "":
		return fmt.Errorf("topic root is empty (the default is %q)", DefaultRoot)
	case strings.ContainsAny(root, "+#\x00"):
		return fmt.Errorf("topic root %q must not contain wildcards '+', '#' or NUL", root)
	case !strings.HasSuffix(root, "/"):
		return fmt.Errorf("topic root %q must end with '/'", root)
	case strings.HasPrefix(root, "/") || strings.Contains(root, "//"):
		return fmt.Errorf("topic root %q must not have empty levels", root)
	}
	return nil
}

func (t Topics) root() string {
	if t.Root == "" {
		return DefaultRoot
	}
	return t.Root
}

// StatusFilter matches every device's retained status.
func (t Topics) StatusFilter() string { return t.root() + "+/status" }

// OTAFilter matches every device's retained OTA state.
func (t Topics) OTAFilter() string { return t.root() + "+/ota" }

// Deploy is where the group's deployment is retained (the agents
// subscribe to it).
func (t Topics) Deploy(group string) string { return t.root() + "groups/" + group + "/deploy" }

// Rollout is where the rollout's progress is retained.
func (t Topics) Rollout(group string) string { return t.root() + "groups/" + group + "/rollout" }

// Command is where a device takes command name.
func (t Topics) Command(device, name string) string { return t.root() + device + "/cmd/" + name }

// deviceOf returns the device of a <root><device>/<suffix> topic.
func (t Topics) deviceOf(topic, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(topic, t.root())
	if !ok {
		return "", false
	}
	dev, ok := strings.CutSuffix(rest, "/"+suffix)
	if !ok || dev == "" || strings.Contains(dev, "/") || dev == "groups" {
		return "", false
	}
	return dev, true
}
