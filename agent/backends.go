package agent

// The backends compiled into the agent. Each registers itself in init; the
// opencv camera and the tflite_c engine are compiled in only with their
// build tags.
import (
	_ "github.com/fovea-edge/fovea/camera/imagedir"
	_ "github.com/fovea-edge/fovea/camera/mjpeg"
	_ "github.com/fovea-edge/fovea/camera/synthetic"
	_ "github.com/fovea-edge/fovea/infer/tflite"
)
