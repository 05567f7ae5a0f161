package agent

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fovea-edge/fovea/agent/config"
	"github.com/fovea-edge/fovea/camera"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging"
)

// Check goes further than cfg.Validate, as far as it can without opening a
// camera, a stream or the outbox (fovea config check): the model file
// loads and classifies images, its labels file is readable and has one
// label per output, model.resize and model.engine are compiled into this
// binary, every camera URI names a compiled-in scheme and passes its
// backend's check (dir: folders exist, synthetic: parameters parse), and
// data_dir, if it exists, is a folder. It reports every problem at once,
// each naming its key; it returns the loaded model's description for the
// caller to print.
func Check(cfg *config.Config) (infer.ModelInfo, error) {
	if err := cfg.Validate(); err != nil {
		return infer.ModelInfo{}, err
	}
	var errs []error
	var info infer.ModelInfo
	resize, err := imaging.ByName(cfg.Model.Resize)
	if err != nil {
		errs = append(errs, fmt.Errorf("model.resize: %w", err))
	}
	h := newModelHolder(1, cfg.Model.Engine, infer.ClassifierOptions{Threads: 1, Resize: resize})
	labelsOK := true
	if cfg.Model.Labels != "" {
		if _, err := infer.ReadLabels(cfg.Model.Labels); err != nil {
			errs = append(errs, fmt.Errorf("model.labels: %w", err))
			labelsOK = false
		}
	}
	if _, err := os.Stat(cfg.Model.Path); err != nil {
		errs = append(errs, fmt.Errorf("model.path: %w", err))
	} else if labelsOK {
		// Loading checks the file, that its input is an image tensor and
		// that the labels match its outputs.
		if m, err := h.Load(cfg.Model.Path, cfg.Model.Labels, ModelRef{}); err != nil {
			errs = append(errs, fmt.Errorf("model %s: %w", cfg.Model.Path, err))
		} else {
			info = m.Info
		}
	}
	for i, c := range cfg.Cameras {
		if err := camera.Check(c.URI); err != nil {
			// One line per camera, however many problems its URI has.
			msg := strings.ReplaceAll(err.Error(), "\n", "; ")
			errs = append(errs, fmt.Errorf("cameras[%d] (%s).uri %q: %s", i, c.ID, c.URI, msg))
		}
	}
	errs = append(errs, checkHTTP(cfg.HTTP)...)
	if st, err := os.Stat(cfg.DataDir); err == nil && !st.IsDir() {
		errs = append(errs, fmt.Errorf("data_dir %s is a file, not a folder", cfg.DataDir))
	}
	if len(errs) > 0 {
		return info, fmt.Errorf("%w:\n%w", config.ErrInvalid, errors.Join(errs...))
	}
	return info, nil
}
