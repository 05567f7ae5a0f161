package schema

import (
	"fmt"
	"strconv"
)

// MetadataName is the Model.Metadata entry whose buffer holds TFLite
// Support metadata (metadata_schema.fbs, a FlatBuffer with identifier
// "M001").
const MetadataName = "TFLITE_METADATA"

// MetadataIdentifier is the file identifier of a metadata FlatBuffer.
const MetadataIdentifier = "M001"

// AssociatedFileType is metadata_schema.fbs's AssociatedFileType.
type AssociatedFileType int8

// Associated file types.
const (
	FileUnknown                    AssociatedFileType = 0
	FileDescriptions               AssociatedFileType = 1
	FileTensorAxisLabels           AssociatedFileType = 2
	FileTensorValueLabels          AssociatedFileType = 3
	FileTensorAxisScoreCalibration AssociatedFileType = 4
	FileVocabulary                 AssociatedFileType = 5
)

var fileTypeNames = [...]string{"UNKNOWN", "DESCRIPTIONS", "TENSOR_AXIS_LABELS", "TENSOR_VALUE_LABELS", "TENSOR_AXIS_SCORE_CALIBRATION", "VOCABULARY"}

func (t AssociatedFileType) String() string {
	if t >= 0 && int(t) < len(fileTypeNames) {
		return fileTypeNames[t]
	}
	return "ASSOCIATED_FILE_TYPE(" + strconv.Itoa(int(t)) + ")"
}

// AssociatedFile names a file packed into the zip archive appended to the
// model.
type AssociatedFile struct {
	Name        string
	Description string
	Type        AssociatedFileType
	Locale      string
}

// TensorMetadata describes one input or output tensor.
type TensorMetadata struct {
	Name        string
	Description string
	// Mean and Std come from a NormalizationOptions process unit: value =
	// (x - Mean[c]) / Std[c]; one value applies to every channel.
	Mean, Std []float32
	// Min and Max are the tensor's stats, when given.
	Min, Max        []float32
	AssociatedFiles []AssociatedFile
}

// SubGraphMetadata describes one subgraph; Inputs and Outputs follow the
// order of Subgraph.Inputs and Subgraph.Outputs.
type SubGraphMetadata struct {
	Name            string
	Description     string
	Inputs          []TensorMetadata
	Outputs         []TensorMetadata
	AssociatedFiles []AssociatedFile
}

// ModelMetadata is the TFLite Support metadata of a model.
type ModelMetadata struct {
	Name             string
	Description      string
	Version          string
	Author           string
	License          string
	MinParserVersion string
	Subgraphs        []SubGraphMetadata
	AssociatedFiles  []AssociatedFile
}

// Normalization returns the mean and std of the first input of the first
// subgraph, or nil when the metadata gives none.
func (md *ModelMetadata) Normalization() (mean, std []float32) {
	if md == nil || len(md.Subgraphs) == 0 || len(md.Subgraphs[0].Inputs) == 0 {
		return nil, nil
	}
	in := md.Subgraphs[0].Inputs[0]
	return in.Mean, in.Std
}

// LabelFile returns the name of the labels file: the first
// TENSOR_AXIS_LABELS file of an output tensor of the first subgraph, else
// of the subgraph or the model; "" when there is none.
func (md *ModelMetadata) LabelFile() string {
	if md == nil {
		return ""
	}
	var lists [][]AssociatedFile
	if len(md.Subgraphs) > 0 {
		for _, out := range md.Subgraphs[0].Outputs {
			lists = append(lists, out.AssociatedFiles)
		}
		lists = append(lists, md.Subgraphs[0].AssociatedFiles)
	}
	lists = append(lists, md.AssociatedFiles)
	for _, files := range lists {
		for _, f := range files {
			if f.Type == FileTensorAxisLabels && f.Name != "" {
				return f.Name
			}
		}
	}
	return ""
}

// ReadMetadata decodes the TFLITE_METADATA buffer of a model. m is the
// parsed model; when nil, file is parsed first. It returns nil, nil when the
// model has no metadata. Errors wrap infer.ErrMalformed.
func ReadMetadata(m *Model, file []byte) (*ModelMetadata, error) {
	if m == nil {
		var err error
		if m, err = Parse(file); err != nil {
			return nil, fmt.Errorf("schema.ReadMetadata: %w", err)
		}
	}
	buf, found, err := metadataBuffer(m)
	if err != nil {
		return nil, fmt.Errorf("schema.ReadMetadata: %w", err)
	}
	if !found {
		return nil, nil
	}
	md, err := decodeMetadata(buf)
	if err != nil {
		return nil, fmt.Errorf("schema.ReadMetadata: %w", err)
	}
	return md, nil
}

func metadataBuffer(m *Model) ([]byte, bool, error) {
	for _, e := range m.Metadata {
		if e.Name != MetadataName {
			continue
		}
		if int64(e.Buffer) >= int64(len(m.Buffers)) {
			return nil, false, malformed("metadata %q: buffer index %d out of range (model has %d buffers)", e.Name, e.Buffer, len(m.Buffers))
		}
		return m.Buffers[e.Buffer], true, nil
	}
	return nil, false, nil
}

func decodeMetadata(buf []byte) (*ModelMetadata, error) {
	d := newDecoder(buf)
	root, err := d.root(MetadataName)
	if err != nil {
		return nil, err
	}
	md := &ModelMetadata{}
	for _, f := range []struct {
		slot int
		dst  *string
	}{{0, &md.Name}, {1, &md.Description}, {2, &md.Version}, {4, &md.Author}, {5, &md.License}, {7, &md.MinParserVersion}} {
		if *f.dst, err = root.str(f.slot); err != nil {
			return nil, err
		}
	}
	if md.AssociatedFiles, err = decodeFiles(root, 6); err != nil {
		return nil, err
	}
	subs, err := root.tables(3, 96)
	if err != nil {
		return nil, err
	}
	md.Subgraphs = makeSlice[SubGraphMetadata](subs.n)
	for i := range md.Subgraphs {
		t, err := subs.at(i, fmt.Sprintf("%s subgraph %d", MetadataName, i))
		if err != nil {
			return nil, err
		}
		sg := &md.Subgraphs[i]
		if sg.Name, err = t.str(0); err != nil {
			return nil, err
		}
		if sg.Description, err = t.str(1); err != nil {
			return nil, err
		}
		if sg.Inputs, err = decodeTensorMetadata(t, 2, "input"); err != nil {
			return nil, err
		}
		if sg.Outputs, err = decodeTensorMetadata(t, 3, "output"); err != nil {
			return nil, err
		}
		if sg.AssociatedFiles, err = decodeFiles(t, 4); err != nil {
			return nil, err
		}
	}
	return md, nil
}

func decodeTensorMetadata(t table, slot int, kind string) ([]TensorMetadata, error) {
	v, err := t.tables(slot, 128)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]TensorMetadata, v.n)
	for i := range out {
		tt, err := v.at(i, fmt.Sprintf("%s %s %d", t.what, kind, i))
		if err != nil {
			return nil, err
		}
		tm := &out[i]
		if tm.Name, err = tt.str(0); err != nil {
			return nil, err
		}
		if tm.Description, err = tt.str(1); err != nil {
			return nil, err
		}
		units, err := tt.tables(4, 16)
		if err != nil {
			return nil, err
		}
		for k := 0; k < units.n; k++ {
			ut, err := units.at(k, fmt.Sprintf("%s process unit %d", tt.what, k))
			if err != nil {
				return nil, err
			}
			typ, err := ut.u8(0, 0)
			if err != nil {
				return nil, err
			}
			if typ != 1 || tm.Mean != nil { // 1 = NormalizationOptions; first one wins
				continue
			}
			nt, ok, err := ut.sub(1, ut.what+" normalization")
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if tm.Mean, err = nt.f32s(0); err != nil {
				return nil, err
			}
			if tm.Std, err = nt.f32s(1); err != nil {
				return nil, err
			}
		}
		if st, ok, err := tt.sub(5, tt.what+" stats"); err != nil {
			return nil, err
		} else if ok {
			if tm.Max, err = st.f32s(0); err != nil {
				return nil, err
			}
			if tm.Min, err = st.f32s(1); err != nil {
				return nil, err
			}
		}
		if tm.AssociatedFiles, err = decodeFiles(tt, 6); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeFiles(t table, slot int) ([]AssociatedFile, error) {
	v, err := t.tables(slot, 64)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]AssociatedFile, v.n)
	for i := range out {
		ft, err := v.at(i, fmt.Sprintf("%s associated file %d", t.what, i))
		if err != nil {
			return nil, err
		}
		f := &out[i]
		if f.Name, err = ft.str(0); err != nil {
			return nil, err
		}
		if f.Description, err = ft.str(1); err != nil {
			return nil, err
		}
		typ, err := ft.i8(2, 0)
		if err != nil {
			return nil, err
		}
		f.Type = AssociatedFileType(typ)
		if f.Locale, err = ft.str(3); err != nil {
			return nil, err
		}
	}
	return out, nil
}
