package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/infer"
	"github.com/fovea-edge/fovea/internal/base/atomicfile"
	"github.com/fovea-edge/fovea/internal/base/imaging"
)

func init() {
	bundleCmd := &cobra.Command{
		Use:   "bundle",
		Short: "Create, verify and inspect signed model bundles (docs/ota.md)",
	}
	bundleCmd.AddCommand(bundleCreateCmd(), bundleVerifyCmd(), bundleInspectCmd())
	rootCmd.AddCommand(bundleCmd)
}

func bundleCreateCmd() *cobra.Command {
	var (
		s                                       bundle.Spec
		model, labels, key, tests, eval, out    string
		trainingData, codeRevision, meanS, stdS string
	)
	cmd := &cobra.Command{
		Use:   "create --model M --version V --key K -o B.fovea [--labels L] [--tests DIR] [--eval eval.json]",
		Short: "Pack a .tflite model, its labels and test vectors into a signed bundle",
		Long: `create loads the model (refusing one this engine cannot run or that is not an
image classifier), runs it on every PNG or JPEG in --tests to record the test
vectors devices check before they use the model, and signs the manifest with
--key. --eval attaches the JSON that ` + "`fovea eval --json`" + ` writes (or any JSON
object, e.g. {"top1":0.93,"top5":0.99,"ece":0.03,"n":5000}).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			priv, err := sign.LoadPrivate(key)
			if err != nil {
				return err
			}
			if s.Model, err = os.ReadFile(model); err != nil {
				return err
			}
			if labels != "" {
				if s.Labels, err = infer.ReadLabels(labels); err != nil {
					return err
				}
			}
			if tests != "" {
				if s.Tests, err = readTestImages(tests); err != nil {
					return err
				}
			}
			if eval != "" {
				b, err := os.ReadFile(eval)
				if err != nil {
					return err
				}
				var obj map[string]any
				if err := json.Unmarshal(b, &obj); err != nil {
					return fmt.Errorf("--eval %s: want a JSON object: %w", eval, err)
				}
				var c bytes.Buffer
				json.Compact(&c, b)
				s.Prov.Eval = c.Bytes()
			}
			if s.Mean, err = floats(meanS); err != nil {
				return fmt.Errorf("--mean: %w", err)
			}
			if s.Std, err = floats(stdS); err != nil {
				return fmt.Errorf("--std: %w", err)
			}
			if s.Resizer, err = imaging.ByName(s.Resize); err != nil {
				return err
			}
			s.Prov.TrainingData, s.Prov.CodeRevision = trainingData, codeRevision
			s.Created = time.Now().UTC().Truncate(time.Second)
			var b bytes.Buffer
			m, err := bundle.Create(cmd.Context(), &b, s, priv)
			if err != nil {
				return err
			}
			if err := atomicfile.WriteFile(out, b.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s %s, %d bytes, %d test vectors, signed by key %s\n", out, m.Name, m.Version, b.Len(), len(m.Tests), m.KeyID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "the .tflite model (required)")
	f.StringVar(&labels, "labels", "", "labels file, one per line (default: the labels embedded in the model)")
	f.StringVar(&s.Version, "version", "", "semantic version of this release, e.g. 1.4.0 (required)")
	f.StringVar(&key, "key", "", "private key from `fovea keygen` (required)")
	f.StringVarP(&out, "out", "o", "", "bundle file to write (required)")
	f.StringVar(&tests, "tests", "", "folder of PNG/JPEG images to record as test vectors")
	f.StringVar(&eval, "eval", "", "evaluation JSON of this release (fovea eval --json)")
	f.StringVar(&s.Name, "name", "", "model name (default: from the model)")
	f.StringVar(&s.MinAgent, "min-agent", "", "oldest agent version that may run it")
	f.StringVar(&trainingData, "training-data", "", "reference to the training data")
	f.StringVar(&codeRevision, "code-revision", "", "revision of the training code")
	f.StringVar(&s.Notes, "notes", "", "free-form notes")
	f.StringVar(&s.Resize, "resize", "pillow", "frame scaler the model was evaluated with: pillow or opencv")
	f.StringVar(&meanS, "mean", "", "input normalisation mean(s), comma-separated, 0…255 units")
	f.StringVar(&stdS, "std", "", "input normalisation std(s), comma-separated")
	f.StringVar(&s.Engine, "engine", "", "inference engine for the test vectors (default \"go\")")
	for _, n := range []string{"model", "version", "key", "out"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

// maxTestImages bounds --tests.
const maxTestImages = 32

func readTestImages(dir string) ([]bundle.TestImage, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []bundle.TestImage
	for _, e := range ents {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !slices.Contains([]string{".png", ".jpg", ".jpeg"}, ext) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, bundle.TestImage{Name: e.Name(), Data: b})
	}
	if len(out) == 0 || len(out) > maxTestImages {
		return nil, fmt.Errorf("--tests %s: %d PNG/JPEG images; want 1–%d", dir, len(out), maxTestImages)
	}
	return out, nil
}

func floats(s string) ([]float32, error) {
	if s == "" {
		return nil, nil
	}
	var out []float32
	for f := range strings.SplitSeq(s, ",") {
		var v float32
		if _, err := fmt.Sscan(strings.TrimSpace(f), &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func bundleVerifyCmd() *cobra.Command {
	var pubs []string
	cmd := &cobra.Command{
		Use:   "verify B.fovea --pub P [--pub P2 …]",
		Short: "Check a bundle's signature, manifest and every file, as a device does",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			trust, err := sign.LoadTrust(pubs)
			if err != nil {
				return err
			}
			v, err := bundle.VerifyFile(args[0], trust, bundle.Limits{})
			if err != nil {
				return err
			}
			m := v.Manifest
			fmt.Fprintf(cmd.OutOrStdout(), "OK: %s %s signed by key %s, %d files verified\n", m.Name, m.Version, m.KeyID, len(m.Files))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&pubs, "pub", nil, "trusted public key file or ed25519:BASE64 (repeatable; required)")
	_ = cmd.MarkFlagRequired("pub")
	return cmd
}

func bundleInspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect B.fovea",
		Short: "Print a bundle's manifest (the signature is not checked: use verify)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			v, ierr := bundle.Inspect(bufio.NewReader(f), bundle.Limits{})
			if v == nil {
				return ierr
			}
			w := cmd.OutOrStdout()
			if asJSON {
				_, err := w.Write(append(v.ManifestBytes, '\n'))
				if err == nil {
					err = ierr
				}
				return err
			}
			writeManifest(w, v.Manifest)
			if ierr != nil {
				return fmt.Errorf("the bundle is damaged: %w", ierr)
			}
			fmt.Fprintln(w, "files:      all present with their sha256 (signature not checked: run `fovea bundle verify`)")
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the manifest JSON as signed")
	return cmd
}

func writeManifest(w io.Writer, m *bundle.Manifest) {
	fmt.Fprintf(w, "name:       %s\nversion:    %s\ncreated:    %s\nkey id:     %s\n", m.Name, m.Version, m.Created.Format(time.RFC3339), m.KeyID)
	if m.MinAgentVersion != "" {
		fmt.Fprintf(w, "min agent:  %s\n", m.MinAgentVersion)
	}
	in := m.Input
	fmt.Fprintf(w, "input:      %s%v resize=%s", in.DType, in.Shape, in.Resize)
	if len(in.Mean) > 0 {
		fmt.Fprintf(w, " mean=%v std=%v", in.Mean, in.Std)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "model:      %s (sha256 %s)\nlabels:     %s\n", m.Model, m.ModelSHA256(), m.Labels)
	for _, f := range m.Files {
		fmt.Fprintf(w, "  %-16s %9d  %s\n", f.Name, f.Size, f.SHA256)
	}
	for _, tv := range m.Tests {
		fmt.Fprintf(w, "test:       %s → %s %.4f (±%.3f)\n", tv.Input, tv.Top[0].Label, tv.Top[0].Score, tv.Tolerance)
	}
	p := m.Provenance
	if p.TrainingData != "" || p.CodeRevision != "" {
		fmt.Fprintf(w, "training:   data %q, code %q\n", p.TrainingData, p.CodeRevision)
	}
	if len(p.Eval) > 0 {
		var c bytes.Buffer
		if json.Compact(&c, p.Eval) == nil {
			fmt.Fprintf(w, "eval:       %s\n", c.Bytes())
		}
	}
	if m.Notes != "" {
		fmt.Fprintf(w, "notes:      %s\n", m.Notes)
	}
}
