package monitor

import (
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/monitor/capture"
)

func captureStaticValue() capture.Static {
	return capture.Static{Device: "test", ConfigHash: "cfg", AgentVersion: "dev"}
}

var top1 = []infer.Class{{Label: "a", Index: 0, Score: 0.9}, {Label: "b", Index: 1, Score: 0.1}}
