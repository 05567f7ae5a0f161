package evaldata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fovea-edge/fovea/camera/synthetic"
	"github.com/fovea-edge/fovea/monitor/eval"
)

// DefaultSyntheticFrames is how many frames a synthetic: set without
// count= and without a limit yields.
const DefaultSyntheticFrames = 1000

// KeyDrift is the slice key of a synthetic frame's drift: "none" before
// drift_at, else the drift kinds ("brightness", "blur,noise").
const KeyDrift = "drift"

// syntheticSet reads frames from the synthetic camera.
type syntheticSet struct {
	name  string
	src   *synthetic.Source
	n     int
	drift string
	notes []string
}

func openSynthetic(spec, rest string, limit int) (*syntheticSet, error) {
	cfg, err := synthetic.ParseURI(rest, 0)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w: %w", ErrDataSet, err)
	}
	switch {
	case cfg.Count == 0 && limit > 0:
		cfg.Count = uint64(limit)
	case cfg.Count == 0:
		cfg.Count = DefaultSyntheticFrames
	case limit > 0:
		cfg.Count = min(cfg.Count, uint64(limit))
	}
	src, err := synthetic.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("evaldata.Open: %w: %w", ErrDataSet, err)
	}
	var kinds []string
	for _, d := range cfg.Scene.Drifts {
		kinds = append(kinds, string(d.Kind))
	}
	s := &syntheticSet{name: spec, src: src, n: int(cfg.Count), drift: strings.Join(kinds, ",")}
	s.notes = []string{spec + ": " + strconv.Itoa(s.n) + " frames; true class = the shape the scene drew"}
	return s, nil
}

func (s *syntheticSet) Name() string    { return s.name }
func (s *syntheticSet) Len() int        { return s.n }
func (s *syntheticSet) Notes() []string { return s.notes }
func (s *syntheticSet) Close() error    { return s.src.Close() }

func (s *syntheticSet) Next(ctx context.Context) (Item, error) {
	f, err := s.src.Next(ctx)
	if errors.Is(err, io.EOF) {
		return Item{}, io.EOF
	}
	if err != nil {
		return Item{}, fmt.Errorf("evaldata: %s: %w", s.name, err)
	}
	drift := "none"
	if at := s.src.Config().DriftAt; at > 0 && f.Seq >= at {
		drift = s.drift
	}
	return Item{
		ID:    "#" + strconv.FormatUint(f.Seq, 10),
		Image: f.Image,
		Truth: Truth{Label: f.Truth},
		Tags:  []eval.Tag{{Key: KeyDrift, Value: drift}},
	}, nil
}
