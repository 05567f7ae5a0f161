// Package all links in every camera backend of this module, so that a
// binary can open any scheme: import _ "github.com/fovea-edge/fovea/camera/all".
// opencv: is the real backend with the opencv build tag, and otherwise a
// stub whose Open explains how to rebuild.
package all

import (
	_ "github.com/fovea-edge/fovea/camera/imagedir" // dir:
	_ "github.com/fovea-edge/fovea/camera/mjpeg"    // mjpeg:
	_ "github.com/fovea-edge/fovea/camera/opencv"   // opencv:
)
