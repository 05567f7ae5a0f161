package fleet

import (
	"context"
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

// Topic filters and names. Devices use the default topic prefix
// fovea/<device>/ (mqtt.topic_prefix).
const (
	StatusFilter = "fovea/+/status"
	OTAFilter    = "fovea/+/ota"
)

// DeployTopic is where the group's deployment is retained (the agent
// subscribes to it).
func DeployTopic(group string) string { return "fovea/groups/" + group + "/deploy" }

// RolloutTopic is where the rollout's progress is retained.
func RolloutTopic(group string) string { return "fovea/groups/" + group + "/rollout" }

// CommandTopic is where a device takes command name.
func CommandTopic(device, name string) string { return "fovea/" + device + "/cmd/" + name }

// deviceOf returns the device of a fovea/<device>/<suffix> topic.
func deviceOf(topic, suffix string) (string, bool) {
	rest, ok := strings.CutPrefix(topic, "fovea/")
	if !ok {
		return "", false
	}
	dev, ok := strings.CutSuffix(rest, "/"+suffix)
	if !ok || dev == "" || strings.Contains(dev, "/") || dev == "groups" {
		return "", false
	}
	return dev, true
}
