package bundle

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/firmware/semver"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/imaging"
)

// Member names Create uses.
const (
	ModelMember  = "model.tflite"
	LabelsMember = "labels.txt"
)

// DefaultTolerance is the score difference a test vector accepts by
// default: a few quantization steps of an 8-bit output, enough for another
// engine or resizer, far too little for another model.
const DefaultTolerance = 0.02

// Spec is what Create packs.
type Spec struct {
	Name    string // default: the model's own name
	Version string // semantic version, required
	Model   []byte // the .tflite file
	// Labels, one per class; nil takes the labels embedded in the model.
	Labels []string
	// Tests are images (PNG or JPEG) that become test vectors: Create runs
	// the model on each and records its top classes.
	Tests []TestImage
	// Preprocessing the model was evaluated with.
	Mean, Std []float32
	Resize    string          // "pillow" (default) or "opencv": recorded in the manifest
	Resizer   imaging.Resizer // the function for Resize; nil = the classifier's default (pillow)
	Engine    string          // runtime for computing the test vectors; "" = default
	Tolerance float32         // per-score tolerance of the test vectors; 0 = DefaultTolerance
	Created   time.Time       // default: now
	MinAgent  string          // oldest agent version that may run it
	Prov      Provenance      // training data, code revision, evaluation
	Notes     string
}

// TestImage is one test input for Create.
type TestImage struct {
	Name string // file name; only its extension is kept
	Data []byte
}

// Create builds a bundle from s, signs its manifest with priv and writes it
// to w. It loads the model (refusing one the engine cannot run or that is
// not an image classifier) and computes the test vectors with it.
func Create(ctx context.Context, w io.Writer, s Spec, priv ed25519.PrivateKey) (*Manifest, error) {
	m, members, err := build(ctx, s, priv)
	if err != nil {
		return nil, fmt.Errorf("bundle.Create: %w", err)
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle.Create: %w", err)
	}
	if int64(len(mb)) > DefaultLimits.Manifest {
		return nil, fmt.Errorf("bundle.Create: %w: manifest of %d bytes", ErrTooLarge, len(mb))
	}
	if _, err := ParseManifest(mb); err != nil {
		return nil, fmt.Errorf("bundle.Create: %w", err)
	}
	sig, _ := sign.Sign(priv, sign.PurposeManifest, mb)
	if err := writeBundle(w, mb, sig, members); err != nil {
		return nil, fmt.Errorf("bundle.Create: %w", err)
	}
	return m, nil
}

func build(ctx context.Context, s Spec, priv ed25519.PrivateKey) (*Manifest, []member, error) {
	if !semver.Valid(s.Version) {
		return nil, nil, fmt.Errorf("version %q is not a semantic version (e.g. 1.4.0)", s.Version)
	}
	model, err := infer.Load(s.Model, infer.LoadOptions{Engine: s.Engine, Name: s.Name})
	if err != nil {
		return nil, nil, err
	}
	info := model.Info()
	if len(info.Inputs) == 0 {
		return nil, nil, fmt.Errorf("model has no inputs")
	}
	in := info.Inputs[0]
	labels := s.Labels
	if labels == nil {
		labels = info.Labels
	}
	if len(labels) == 0 {
		return nil, nil, fmt.Errorf("model embeds no labels: give a labels file")
	}
	name := s.Name
	if name == "" {
		name = info.Name
	}
	m := &Manifest{
		Format:          FormatVersion,
		Name:            name,
		Version:         s.Version,
		Created:         s.Created,
		KeyID:           sign.KeyID(priv.Public().(ed25519.PublicKey)),
		MinAgentVersion: s.MinAgent,
		Model:           ModelMember,
		Labels:          LabelsMember,
		Input:           Input{Shape: in.Shape, DType: in.Type.String(), Mean: s.Mean, Std: s.Std, Resize: s.Resize},
		Provenance:      s.Prov,
		Notes:           s.Notes,
	}
	if m.Created.IsZero() {
		m.Created = time.Now().UTC().Truncate(time.Second)
	}
	if m.Input.Resize == "" {
		m.Input.Resize = "pillow"
	}
	members := []member{
		{ModelMember, s.Model},
		{LabelsMember, []byte(strings.Join(labels, "\n") + "\n")},
	}
	tol := s.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	opts := infer.ClassifierOptions{Labels: labels, Mean: s.Mean, Std: s.Std, Resize: s.Resizer}
	for i, ti := range s.Tests {
		ext := strings.ToLower(filepath.Ext(ti.Name))
		if ext == ".jpeg" {
			ext = ".jpg"
		}
		if ext != ".png" && ext != ".jpg" {
			return nil, nil, fmt.Errorf("test input %q: want a .png or .jpg image", ti.Name)
		}
		mem := member{fmt.Sprintf("test-%02d%s", i, ext), ti.Data}
		top, err := classifyOnce(ctx, model, opts, mem.data, len(labels))
		if err != nil {
			return nil, nil, fmt.Errorf("test input %q: %w", ti.Name, err)
		}
		m.Tests = append(m.Tests, TestVector{Input: mem.name, Top: top, Tolerance: tol})
		members = append(members, mem)
	}
	for _, mem := range members {
		sum := sha256.Sum256(mem.data)
		m.Files = append(m.Files, File{Name: mem.name, Size: int64(len(mem.data)), SHA256: hex.EncodeToString(sum[:])})
	}
	// The classifier check: a model that is not an image classifier with
	// these labels is refused here, not on the device.
	c, err := infer.NewClassifier(model, opts)
	if err != nil {
		return nil, nil, err
	}
	c.Close()
	return m, members, nil
}

// expectTop is how many classes a test vector records.
const expectTop = 5

func classifyOnce(ctx context.Context, model infer.Model, opts infer.ClassifierOptions, img []byte, classes int) ([]Expect, error) {
	im, err := DecodeImage(img)
	if err != nil {
		return nil, err
	}
	c, err := infer.NewClassifier(model, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	p, err := c.Classify(ctx, im, min(expectTop, classes))
	if err != nil {
		return nil, err
	}
	top := make([]Expect, len(p.Top))
	for i, cl := range p.Top {
		top[i] = Expect{Label: cl.Label, Index: cl.Index, Score: cl.Score}
	}
	return top, nil
}
