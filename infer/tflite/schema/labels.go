package schema

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	flatbuffers "github.com/google/flatbuffers/go"
)

// MaxLabelsBytes caps the decompressed size of a labels file read from a
// model (a zip entry can claim little and inflate to a lot).
const MaxLabelsBytes = 4 << 20

// Labels returns the labels packed into the model: TFLite Support appends
// a zip archive to the .tflite file, and the metadata names the labels file
// (an associated file of type TENSOR_AXIS_LABELS). Without such metadata,
// a zip entry whose name looks like a labels file ("labels.txt",
// "imagenet_labels.txt") is used. Line n of the file is the label of class
// n. m is the parsed model (nil: file is parsed first). It returns nil, nil
// when the model carries no labels.
func Labels(file []byte, m *Model) ([]string, error) {
	labels, err := readLabels(file, m)
	if err != nil {
		return nil, fmt.Errorf("schema.Labels: %w", err)
	}
	return labels, nil
}

func readLabels(file []byte, m *Model) ([]string, error) {
	md, err := ReadMetadata(m, file)
	if err != nil {
		return nil, err
	}
	name := md.LabelFile()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		if name != "" {
			return nil, malformed("metadata names labels file %q, but the model carries no readable zip archive: %v", name, err)
		}
		return nil, nil
	}
	var entry *zip.File
	for _, f := range zr.File {
		if name != "" && f.Name == name {
			entry = f
			break
		}
		if name == "" && looksLikeLabels(f.Name) {
			entry = f
			break
		}
	}
	if entry == nil {
		if name != "" {
			return nil, malformed("metadata names labels file %q, but the model's zip archive has no such entry", name)
		}
		return nil, nil
	}
	data, err := readEntry(entry)
	if err != nil {
		return nil, err
	}
	return splitLabels(data), nil
}

func looksLikeLabels(name string) bool {
	base := strings.ToLower(path.Base(name))
	return strings.HasSuffix(base, ".txt") && strings.Contains(base, "label")
}

func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > MaxLabelsBytes {
		return nil, malformed("labels file %q is %d bytes, over the %d-byte cap", f.Name, f.UncompressedSize64, MaxLabelsBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, malformed("labels file %q: %v", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxLabelsBytes+1))
	if err != nil {
		return nil, malformed("labels file %q: %v", f.Name, err)
	}
	if len(data) > MaxLabelsBytes {
		return nil, malformed("labels file %q inflates past the %d-byte cap", f.Name, MaxLabelsBytes)
	}
	return data, nil
}

// splitLabels splits a labels file into lines (LF or CRLF); a final line
// break does not start another label.
func splitLabels(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// LabelInfo is what WithLabels embeds into a model.
type LabelInfo struct {
	Name        string // model name
	Version     string // model version
	Description string
	// Labels, one per class of output 0 (class n = Labels[n]). A label
	// may not contain a line break.
	Labels []string
	// Mean and Std, when set, describe input 0's normalization: value =
	// (pixel - Mean[c]) / Std[c].
	Mean, Std []float32
}

// LabelsFileName is the zip entry WithLabels writes.
const LabelsFileName = "labels.txt"

// WithLabels writes m as a .tflite file that carries TFLite Support
// metadata (name, version, description, input normalization, and a labels
// file of type TENSOR_AXIS_LABELS on output 0) and the labels themselves
// in a zip archive appended to the file, as TFLite Support's metadata
// writer does. Labels and ReadMetadata read them back. m is not modified;
// an existing TFLITE_METADATA entry is replaced.
func WithLabels(m *Model, info LabelInfo) ([]byte, error) {
	out, err := withLabels(m, info)
	if err != nil {
		return nil, fmt.Errorf("schema.WithLabels: %w", err)
	}
	return out, nil
}

func withLabels(m *Model, info LabelInfo) ([]byte, error) {
	if m == nil || len(m.Subgraphs) == 0 {
		return nil, errors.New("model has no subgraphs")
	}
	if len(info.Labels) == 0 {
		return nil, errors.New("no labels given")
	}
	var text strings.Builder
	for i, l := range info.Labels {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("label %d %q contains a line break", i, l)
		}
		text.WriteString(l)
		text.WriteByte('\n')
	}
	if text.Len() > MaxLabelsBytes {
		return nil, fmt.Errorf("labels take %d bytes, over the %d-byte cap readers apply", text.Len(), MaxLabelsBytes)
	}
	md := encodeMetadata(m, info)

	c := *m
	c.Buffers = slices.Clone(m.Buffers)
	if len(c.Buffers) == 0 {
		c.Buffers = [][]byte{nil}
	}
	c.Metadata = slices.Clone(m.Metadata)
	replaced := false
	for _, e := range c.Metadata {
		if e.Name == MetadataName && int64(e.Buffer) < int64(len(c.Buffers)) && e.Buffer != 0 {
			c.Buffers[e.Buffer] = md
			replaced = true
			break
		}
	}
	if !replaced {
		c.Buffers = append(c.Buffers, md)
		c.Metadata = append(c.Metadata, Metadata{Name: MetadataName, Buffer: uint32(len(c.Buffers) - 1)})
	}
	model, err := Marshal(&c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Write(model)
	zw := zip.NewWriter(&buf)
	zw.SetOffset(int64(len(model)))
	w, err := zw.CreateHeader(&zip.FileHeader{Name: LabelsFileName, Method: zip.Store})
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, text.String()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// encodeMetadata builds the metadata FlatBuffer for WithLabels.
func encodeMetadata(m *Model, info LabelInfo) []byte {
	b := flatbuffers.NewBuilder(1024)
	str := func(s string) flatbuffers.UOffsetT {
		if s == "" {
			return 0
		}
		return b.CreateString(s)
	}
	sg := &m.Subgraphs[0]

	inputs := make([]flatbuffers.UOffsetT, len(sg.Inputs))
	for i, ti := range sg.Inputs {
		var units flatbuffers.UOffsetT
		if i == 0 && (len(info.Mean) > 0 || len(info.Std) > 0) {
			mean, std := float32Vector(b, info.Mean), float32Vector(b, info.Std)
			b.StartObject(2)
			if mean != 0 {
				b.PrependUOffsetTSlot(0, mean, 0)
			}
			if std != 0 {
				b.PrependUOffsetTSlot(1, std, 0)
			}
			norm := b.EndObject()
			b.StartObject(2)
			b.PrependUint8Slot(0, 1, 0) // ProcessUnitOptions.NormalizationOptions
			b.PrependUOffsetTSlot(1, norm, 0)
			units = tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})
		}
		name := str(tensorNameAt(sg, ti))
		b.StartObject(7)
		if name != 0 {
			b.PrependUOffsetTSlot(0, name, 0)
		}
		if units != 0 {
			b.PrependUOffsetTSlot(4, units, 0)
		}
		inputs[i] = b.EndObject()
	}
	inVec := tableVector(b, inputs)

	outputs := make([]flatbuffers.UOffsetT, len(sg.Outputs))
	for i, ti := range sg.Outputs {
		var files flatbuffers.UOffsetT
		if i == 0 {
			fname := b.CreateString(LabelsFileName)
			fdesc := b.CreateString("Labels for the classes of this output, one per line.")
			b.StartObject(5)
			b.PrependUOffsetTSlot(0, fname, 0)
			b.PrependUOffsetTSlot(1, fdesc, 0)
			b.PrependInt8Slot(2, int8(FileTensorAxisLabels), 0)
			files = tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})
		}
		name := str(tensorNameAt(sg, ti))
		b.StartObject(7)
		if name != 0 {
			b.PrependUOffsetTSlot(0, name, 0)
		}
		if files != 0 {
			b.PrependUOffsetTSlot(6, files, 0)
		}
		outputs[i] = b.EndObject()
	}
	outVec := tableVector(b, outputs)

	b.StartObject(7)
	b.PrependUOffsetTSlot(2, inVec, 0)
	b.PrependUOffsetTSlot(3, outVec, 0)
	subVec := tableVector(b, []flatbuffers.UOffsetT{b.EndObject()})

	name, desc, version, parser := str(info.Name), str(info.Description), str(info.Version), str("1.0.0")
	b.StartObject(8)
	for _, f := range []struct {
		slot int
		off  flatbuffers.UOffsetT
	}{{0, name}, {1, desc}, {2, version}, {3, subVec}, {7, parser}} {
		if f.off != 0 {
			b.PrependUOffsetTSlot(f.slot, f.off, 0)
		}
	}
	b.FinishWithFileIdentifier(b.EndObject(), []byte(MetadataIdentifier))
	return b.FinishedBytes()
}

func tensorNameAt(sg *Subgraph, ti int32) string {
	if ti >= 0 && int(ti) < len(sg.Tensors) {
		return sg.Tensors[ti].Name
	}
	return ""
}
