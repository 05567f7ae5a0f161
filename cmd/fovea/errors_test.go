package main

import (
	"errors"
	"fmt"
	"testing"
)

func TestUserMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("agent.New: model /m.tflite: agent.Load: infer.Open: open /m.tflite: no such file or directory"),
			"model /m.tflite: open /m.tflite: no such file or directory"},
		{errors.New("config.Load bad.yaml: line 6: cameras[0].fps: \"twenty\" is not a number"),
			"bad.yaml: line 6: cameras[0].fps: \"twenty\" is not a number"},
		{fmt.Errorf("agent.Run: %w", errors.New("invalid configuration:\ninfer.NewClassifier: 2 labels for 5 output classes")),
			"invalid configuration:\n2 labels for 5 output classes"},
		{errors.New(`camera.Open "dir:x": imagedir: folder x holds no .jpg`), `"dir:x": imagedir: folder x holds no .jpg`},
		// Keys and file names that look like identifiers stay.
		{errors.New("model.path: missing; see docs/config.md"), "model.path: missing; see docs/config.md"},
		{errors.New("mqtt.broker: \"tcp://h\": the scheme must be mqtt:// or mqtts://"), "mqtt.broker: \"tcp://h\": the scheme must be mqtt:// or mqtts://"},
	}
	for _, tt := range tests {
		if got := userMessage(tt.err); got != tt.want {
			t.Errorf("userMessage(%q) = %q; want %q", tt.err, got, tt.want)
		}
	}
}
