package schema

import (
	"fmt"
	"math"
	"strconv"
)

// File format constants.
const (
	// Identifier is the FlatBuffer file identifier of a .tflite file (bytes
	// 4 to 7).
	Identifier = "TFL3"
	// SchemaVersion is the only Model.version TFLite (and Fovea) accept.
	SchemaVersion = 3
	// MaxFileSize is the largest file Parse accepts: FlatBuffer offsets are
	// 32-bit and a 32-bit ARM board cannot map more anyway.
	MaxFileSize = math.MaxInt32
)

// Parse decodes a .tflite file. It treats data as hostile: every offset,
// length and index is checked before use, and decoding allocates at most a
// fixed multiple of len(data). Constant tensor data and custom options in
// the result alias data, which must not be modified afterwards.
//
// Parse checks that the file is a well-formed schema-v3 model whose
// references (buffer, operator code, tensor and subgraph indices) are in
// range. Call Validate for the rules an interpreter relies on (shapes,
// sizes, quantization, custom operators). Errors wrap infer.ErrMalformed,
// or infer.ErrUnsupported for valid files using features Fovea lacks
// (sparse tensors, custom quantization).
func Parse(data []byte) (*Model, error) {
	m, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("schema.Parse: %w", err)
	}
	return m, nil
}

func parse(data []byte) (*Model, error) {
	switch {
	case len(data) == 0:
		return nil, malformed("empty file (0 bytes): not a TFLite model")
	case len(data) < 8:
		return nil, malformed("file is only %d bytes: too short to be a TFLite model", len(data))
	case int64(len(data)) > MaxFileSize:
		return nil, malformed("file is %d bytes: larger than the %d bytes a FlatBuffer can address", len(data), int64(MaxFileSize))
	}
	if id := string(data[4:8]); id != Identifier {
		return nil, malformed("file identifier is %s, want %q: not a TFLite FlatBuffer (TFLite refuses it too; is this the right file?)", quoteID(data[4:8]), Identifier)
	}
	d := newDecoder(data)
	root, err := d.root("model")
	if err != nil {
		return nil, err
	}
	root = root.named(modelFields)
	m := &Model{}
	if m.Version, err = root.u32(0, 0); err != nil {
		return nil, err
	}
	if m.Version != SchemaVersion {
		return nil, malformed("model has schema version %d; only version %d is supported (as in TFLite)", m.Version, SchemaVersion)
	}
	if m.OperatorCodes, err = parseOperatorCodes(root); err != nil {
		return nil, err
	}
	if m.Description, err = root.str(3); err != nil {
		return nil, err
	}
	if m.Buffers, err = parseBuffers(d, root); err != nil {
		return nil, err
	}
	subs, err := root.tables(2, 96)
	if err != nil {
		return nil, err
	}
	m.Subgraphs = makeSlice[Subgraph](subs.n)
	for i := range m.Subgraphs {
		t, err := subs.at(i, "subgraph "+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if err := parseSubgraph(t.named(subgraphFields), i, m.OperatorCodes, &m.Subgraphs[i]); err != nil {
			return nil, err
		}
	}
	if m.Metadata, err = parseMetadata(root); err != nil {
		return nil, err
	}
	if m.SignatureDefs, err = parseSignatureDefs(root); err != nil {
		return nil, err
	}
	if errs := refErrors(m, 1); len(errs) > 0 {
		return nil, errs[0]
	}
	return m, nil
}

// Field names by field id (schema.fbs), for error messages.
var (
	modelFields        = []string{"version", "operator_codes", "subgraphs", "description", "buffers", "metadata_buffer", "metadata", "signature_defs"}
	operatorCodeFields = []string{"deprecated_builtin_code", "custom_code", "version", "builtin_code"}
	subgraphFields     = []string{"tensors", "inputs", "outputs", "operators", "name"}
	tensorFields       = []string{"shape", "type", "buffer", "name", "quantization", "is_variable", "sparsity", "shape_signature"}
	quantFields        = []string{"min", "max", "scale", "zero_point", "details_type", "details", "quantized_dimension"}
	operatorFields     = []string{"opcode_index", "inputs", "outputs", "builtin_options_type", "builtin_options", "custom_options", "custom_options_format", "mutating_variable_inputs", "intermediates", "large_custom_options_offset", "large_custom_options_size"}
	bufferFields       = []string{"data", "offset", "size"}
	signatureDefFields = []string{"inputs", "outputs", "signature_key", "deprecated_tag", "subgraph_index"}
)

// makeSlice returns nil for n == 0, so that empty vectors and absent ones
// decode alike.
func makeSlice[T any](n int) []T {
	if n == 0 {
		return nil
	}
	return make([]T, n)
}

func quoteID(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("% x", b)
		}
	}
	return strconv.Quote(string(b))
}

func parseOperatorCodes(root table) ([]OperatorCode, error) {
	v, err := root.tables(1, 48)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]OperatorCode, v.n)
	for i := range out {
		t, err := v.at(i, "operator code "+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		t = t.named(operatorCodeFields)
		dep, err := t.i8(0, 0)
		if err != nil {
			return nil, err
		}
		oc := &out[i]
		if oc.CustomCode, err = t.str(1); err != nil {
			return nil, err
		}
		if oc.Version, err = t.i32(2, 1); err != nil {
			return nil, err
		}
		code, err := t.i32(3, 0)
		if err != nil {
			return nil, err
		}
		// As TFLite's GetBuiltinCode: the larger of the two fields, so old
		// files (deprecated field only) and new ones (both) agree.
		oc.Builtin = BuiltinOperator(max(code, int32(dep)))
	}
	return out, nil
}

func parseBuffers(d *decoder, root table) ([][]byte, error) {
	v, err := root.tables(4, 24)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([][]byte, v.n)
	for i := range out {
		t, err := v.at(i, "buffer "+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		t = t.named(bufferFields)
		if out[i], err = t.bytes(0); err != nil {
			return nil, err
		}
		if len(out[i]) > 0 {
			if err := d.alias(len(out[i]), t.what); err != nil {
				return nil, err
			}
			continue
		}
		// Models over 2 GB keep data outside the FlatBuffer: offset (from
		// the start of the file, valid when > 1) and size.
		off, err := t.u64(1, 0)
		if err != nil {
			return nil, err
		}
		size, err := t.u64(2, 0)
		if err != nil {
			return nil, err
		}
		if off <= 1 || size == 0 {
			continue
		}
		if !d.has(off, size) {
			return nil, malformed("buffer %d: external data at offset %d, size %d, lies outside the %d-byte file", i, off, size, len(d.buf))
		}
		out[i] = d.buf[off : off+size : off+size]
		if err := d.alias(len(out[i]), t.what); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseSubgraph(t table, si int, codes []OperatorCode, sg *Subgraph) error {
	var err error
	tv, err := t.tables(0, 160)
	if err != nil {
		return err
	}
	sg.Tensors = makeSlice[Tensor](tv.n)
	for i := range sg.Tensors {
		tt, err := tv.at(i, fmt.Sprintf("subgraph %d tensor %d", si, i))
		if err != nil {
			return err
		}
		if err := parseTensor(tt.named(tensorFields), &sg.Tensors[i]); err != nil {
			return err
		}
	}
	if sg.Inputs, err = t.i32s(1); err != nil {
		return err
	}
	if sg.Outputs, err = t.i32s(2); err != nil {
		return err
	}
	ov, err := t.tables(3, 128)
	if err != nil {
		return err
	}
	sg.Operators = makeSlice[Operator](ov.n)
	for i := range sg.Operators {
		ot, err := ov.at(i, fmt.Sprintf("subgraph %d operator %d", si, i))
		if err != nil {
			return err
		}
		if err := parseOperator(ot.named(operatorFields), codes, &sg.Operators[i]); err != nil {
			return err
		}
	}
	sg.Name, err = t.str(4)
	return err
}

func parseTensor(t table, tn *Tensor) error {
	var err error
	if tn.Name, err = t.str(3); err != nil {
		return err
	}
	if tn.Name != "" {
		t.what += " " + strconv.Quote(tn.Name)
	}
	if tn.Shape, err = t.i32s(0); err != nil {
		return err
	}
	typ, err := t.i8(1, 0)
	if err != nil {
		return err
	}
	tn.Type = TensorType(typ)
	if tn.Buffer, err = t.u32(2, 0); err != nil {
		return err
	}
	if tn.IsVariable, err = t.boolean(5, false); err != nil {
		return err
	}
	if _, sparse, err := t.ref(6); err != nil {
		return err
	} else if sparse {
		return unsupported("%s: sparse tensors are not supported; convert the model without sparsity", t.what)
	}
	if tn.ShapeSignature, err = t.i32s(7); err != nil {
		return err
	}
	qt, ok, err := t.sub(4, t.what+" quantization")
	if err != nil || !ok {
		return err
	}
	tn.Quant, err = parseQuant(qt.named(quantFields))
	return err
}

func parseQuant(t table) (*Quantization, error) {
	q := &Quantization{}
	var err error
	if q.Min, err = t.f32s(0); err != nil {
		return nil, err
	}
	if q.Max, err = t.f32s(1); err != nil {
		return nil, err
	}
	if q.Scale, err = t.f32s(2); err != nil {
		return nil, err
	}
	if q.ZeroPoint, err = t.i64s(3); err != nil {
		return nil, err
	}
	details, err := t.u8(4, 0)
	if err != nil {
		return nil, err
	}
	if details != 0 {
		return nil, unsupported("%s: custom quantization (details type %d) is not supported", t.what, details)
	}
	if q.QuantizedDimension, err = t.i32(6, 0); err != nil {
		return nil, err
	}
	if q.Min == nil && q.Max == nil && q.Scale == nil && q.ZeroPoint == nil && q.QuantizedDimension == 0 {
		return nil, nil // an empty table means "not quantized"
	}
	return q, nil
}

func parseOperator(t table, codes []OperatorCode, op *Operator) error {
	var err error
	if op.OpcodeIndex, err = t.u32(0, 0); err != nil {
		return err
	}
	if int64(op.OpcodeIndex) >= int64(len(codes)) {
		return malformed("%s: opcode index %d out of range (model has %d operator codes)", t.what, op.OpcodeIndex, len(codes))
	}
	code := codes[op.OpcodeIndex].Builtin
	t.what += " (" + codes[op.OpcodeIndex].Name() + ")"
	if op.Inputs, err = t.i32s(1); err != nil {
		return err
	}
	if op.Outputs, err = t.i32s(2); err != nil {
		return err
	}
	utype, err := t.u8(3, 0)
	if err != nil {
		return err
	}
	var opts table
	present := false
	if want := optionsUnion(code); want != unionNone && utype == want {
		if opts, present, err = t.sub(4, t.what+" options"); err != nil {
			return err
		}
	}
	if op.Options, err = decodeOptions(code, utype, opts, present); err != nil {
		return err
	}
	if op.CustomOptions, err = t.bytes(5); err != nil {
		return err
	}
	if len(op.CustomOptions) == 0 {
		off, err := t.u64(9, 0)
		if err != nil {
			return err
		}
		size, err := t.u64(10, 0)
		if err != nil {
			return err
		}
		if off > 1 && size > 0 {
			if !t.d.has(off, size) {
				return malformed("%s: custom options at offset %d, size %d, lie outside the %d-byte file", t.what, off, size, len(t.d.buf))
			}
			op.CustomOptions = t.d.buf[off : off+size : off+size]
		}
	}
	return t.d.alias(len(op.CustomOptions), t.what)
}

func parseMetadata(root table) ([]Metadata, error) {
	v, err := root.tables(6, 48)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]Metadata, v.n)
	for i := range out {
		t, err := v.at(i, "metadata "+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if out[i].Name, err = t.str(0); err != nil {
			return nil, err
		}
		if out[i].Buffer, err = t.u32(1, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseSignatureDefs(root table) ([]SignatureDef, error) {
	v, err := root.tables(7, 96)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]SignatureDef, v.n)
	for i := range out {
		t, err := v.at(i, "signature def "+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		t = t.named(signatureDefFields)
		sd := &out[i]
		if sd.Inputs, err = parseTensorMaps(t, 0, "input"); err != nil {
			return nil, err
		}
		if sd.Outputs, err = parseTensorMaps(t, 1, "output"); err != nil {
			return nil, err
		}
		if sd.Key, err = t.str(2); err != nil {
			return nil, err
		}
		if sd.SubgraphIndex, err = t.u32(4, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseTensorMaps(t table, slot int, kind string) ([]TensorMap, error) {
	v, err := t.tables(slot, 48)
	if err != nil || v.n == 0 {
		return nil, err
	}
	out := make([]TensorMap, v.n)
	for i := range out {
		mt, err := v.at(i, fmt.Sprintf("%s %s %d", t.what, kind, i))
		if err != nil {
			return nil, err
		}
		if out[i].Name, err = mt.str(0); err != nil {
			return nil, err
		}
		if out[i].TensorIndex, err = mt.u32(1, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}
