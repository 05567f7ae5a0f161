package agent

// The backends compiled into the agent. Each registers itself in init.
// camera/all brings dir:, mjpeg: and opencv: (the real one with the opencv
// build tag, otherwise one that explains how to rebuild).
import (
	_ "github.com/fovea-edge/fovea/camera/all"
	_ "github.com/fovea-edge/fovea/camera/synthetic"
	_ "github.com/fovea-edge/fovea/infer/tflite"
)
