//go:build !opencv

package opencv

import (
	"context"
	"fmt"

	"github.com/fovea-edge/fovea/camera"
)

func init() { camera.Register("opencv", Open) }

// Open fails: this binary was built without the opencv tag.
func Open(ctx context.Context, rest string, opts camera.Options) (camera.Source, error) {
	return nil, fmt.Errorf("opencv: camera support not included in this build; rebuild with -tags opencv (needs libopencv-dev): %w", camera.ErrUnavailable)
}
