package train

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Frames used around training, each from its own stream of the seed.
const (
	CalibrationFrames = 300
	EvalFrames        = 2000
)

// Report describes a built demo model.
type Report struct {
	Seed          uint64
	Steps, Batch  int
	TrainTime     time.Duration
	EvalFrames    int
	FloatAccuracy float64 // float network, held-out undrifted frames
	Int8Accuracy  float64 // integer reference on the same frames
	ModelBytes    int
}

func (r Report) String() string {
	return fmt.Sprintf("seed %d, %d steps × %d frames in %v; held-out accuracy on %d frames: float %.2f%%, int8 %.2f%%; model %d bytes",
		r.Seed, r.Steps, r.Batch, r.TrainTime.Round(time.Second), r.EvalFrames,
		100*r.FloatAccuracy, 100*r.Int8Accuracy, r.ModelBytes)
}

// BuildModel trains, calibrates, quantizes, evaluates and exports the demo
// model, returning the .tflite bytes.
func BuildModel(ctx context.Context, cfg Config) ([]byte, Report, error) {
	cfg = cfg.Defaults()
	start := time.Now()
	net, err := Train(ctx, cfg)
	if err != nil {
		return nil, Report{}, fmt.Errorf("train.BuildModel: %w", err)
	}
	r := Report{Seed: cfg.Seed, Steps: cfg.Steps, Batch: cfg.Batch, TrainTime: time.Since(start), EvalFrames: EvalFrames}
	q, err := Quantize(net, SceneFor(cfg.Seed, calibStream, cfg.Size), CalibrationFrames)
	if err != nil {
		return nil, Report{}, fmt.Errorf("train.BuildModel: %w", err)
	}
	eval := SceneFor(cfg.Seed, evalStream, cfg.Size)
	r.FloatAccuracy = net.Accuracy(eval, EvalFrames, false)
	r.Int8Accuracy = q.Accuracy(eval, EvalFrames, false)
	data, err := q.TFLite(fmt.Sprintf("seed%d-steps%d", cfg.Seed, cfg.Steps))
	if err != nil {
		return nil, Report{}, fmt.Errorf("train.BuildModel: %w", err)
	}
	r.ModelBytes = len(data)
	cfg.Log.Info("model built", "report", r.String())
	return data, r, nil
}

// WriteFile writes data to path through a temporary file in the same
// folder, synced and renamed, so a reader never sees half a model.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("train.WriteFile: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("train.WriteFile: %w", err)
	}
	return nil
}

// DemoSeed is the seed of the committed testdata/models/shapes.tflite.
const DemoSeed = 1
