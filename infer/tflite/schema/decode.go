package schema

import (
	"fmt"
	"strconv"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/fovea-edge/fovea/infer/modelerr"
)

// formatError is a problem with the bytes of a model. Its text names what is
// wrong; errors.Is matches its kind (modelerr.ErrMalformed or
// modelerr.ErrUnsupported).
type formatError struct {
	msg  string
	kind error
}

func (e *formatError) Error() string { return e.msg }
func (e *formatError) Unwrap() error { return e.kind }

func malformed(format string, args ...any) error {
	return &formatError{msg: fmt.Sprintf(format, args...), kind: modelerr.ErrMalformed}
}

func unsupported(format string, args ...any) error {
	return &formatError{msg: fmt.Sprintf(format, args...), kind: modelerr.ErrUnsupported}
}

// decoder reads FlatBuffer tables from untrusted bytes. Every position is
// checked against the buffer before the flatbuffers runtime (which panics on
// bad offsets) touches it, and every Go allocation is charged against a
// budget so that shared or overlapping objects cannot make a small file
// decode into a huge structure.
type decoder struct {
	buf     []byte
	budget  int64 // bytes the decoder may still allocate
	aliased int64 // bytes of the file handed out as constant data so far
}

func newDecoder(buf []byte) *decoder {
	return &decoder{buf: buf, budget: decodeBudgetBase + decodeBudgetPerByte*int64(len(buf))}
}

// Decoding a model may allocate at most decodeBudgetBase +
// decodeBudgetPerByte×(file size) bytes of Go memory (constant data aliases
// the file and is not counted).
const (
	decodeBudgetBase    = 1 << 20
	decodeBudgetPerByte = 16
)

func (d *decoder) charge(n int64, what string) error {
	d.budget -= n
	if d.budget < 0 || n < 0 {
		return malformed("%s: decoding the model would need more memory than a %d-byte file can justify (shared or overlapping objects?)", what, len(d.buf))
	}
	return nil
}

// alias accounts for n bytes of the file handed out as constant data or
// custom options. In a well-formed file these never overlap, so their
// total cannot exceed the file size; aliased copies would let a small file
// stand for gigabytes once written out or copied.
func (d *decoder) alias(n int, what string) error {
	d.aliased += int64(n)
	if d.aliased > int64(len(d.buf)) {
		return malformed("%s: buffers and custom options claim more bytes than the %d-byte file holds (overlapping data)", what, len(d.buf))
	}
	return nil
}

// has reports whether n bytes starting at pos lie inside the buffer.
func (d *decoder) has(pos, n uint64) bool {
	return pos <= uint64(len(d.buf)) && n <= uint64(len(d.buf))-pos
}

func (d *decoder) fb() *flatbuffers.Table { return &flatbuffers.Table{Bytes: d.buf} }

// table is a checked view of one FlatBuffer table.
type table struct {
	d      *decoder
	pos    uint32   // start of the table (its soffset to the vtable)
	vt     uint32   // start of the vtable
	vtSize uint16   // vtable size in bytes
	objLen uint16   // table size in bytes
	what   string   // what the table is, for errors ("subgraph 0 tensor 12")
	fields []string // schema field names by id, for errors; may be nil
}

// named returns t with the schema's field names, so errors can say
// "buffers" rather than "field 4".
func (t table) named(fields []string) table {
	t.fields = fields
	return t
}

func (t table) fieldName(slot int) string {
	if slot < len(t.fields) {
		return t.fields[slot] + " (field " + strconv.Itoa(slot) + ")"
	}
	return "field " + strconv.Itoa(slot)
}

// table checks and opens the table at pos.
func (d *decoder) table(pos uint64, what string) (table, error) {
	if !d.has(pos, 4) {
		return table{}, malformed("%s: table at offset %d is outside the %d-byte file (truncated or corrupt)", what, pos, len(d.buf))
	}
	fb := d.fb()
	soff := int64(fb.GetSOffsetT(flatbuffers.UOffsetT(pos)))
	vt := int64(pos) - soff
	if vt < 0 || !d.has(uint64(vt), 4) {
		return table{}, malformed("%s: vtable of table at offset %d points outside the file (offset %d)", what, pos, vt)
	}
	vtSize := fb.GetUint16(flatbuffers.UOffsetT(vt))
	objLen := fb.GetUint16(flatbuffers.UOffsetT(vt + 2))
	if vtSize < 4 || vtSize%2 != 0 || !d.has(uint64(vt), uint64(vtSize)) {
		return table{}, malformed("%s: vtable at offset %d has invalid size %d", what, vt, vtSize)
	}
	if objLen < 4 || !d.has(pos, uint64(objLen)) {
		return table{}, malformed("%s: table at offset %d claims %d bytes, past the end of the %d-byte file", what, pos, objLen, len(d.buf))
	}
	return table{d: d, pos: uint32(pos), vt: uint32(vt), vtSize: vtSize, objLen: objLen, what: what}, nil
}

// root opens the root table of a FlatBuffer that starts at offset 0.
func (d *decoder) root(what string) (table, error) {
	if len(d.buf) < 8 {
		return table{}, malformed("%s: %d bytes is too short for a FlatBuffer", what, len(d.buf))
	}
	off := flatbuffers.GetUOffsetT(d.buf)
	return d.table(uint64(off), what)
}

// field returns the absolute position of field slot (0-based field id)
// holding size bytes, or 0 when the field is absent.
func (t table) field(slot int, size uint16) (uint32, error) {
	voff := uint32(4 + 2*slot)
	if voff+2 > uint32(t.vtSize) {
		return 0, nil
	}
	fo := t.d.fb().GetUint16(flatbuffers.UOffsetT(t.vt + voff))
	if fo == 0 {
		return 0, nil
	}
	if uint32(fo)+uint32(size) > uint32(t.objLen) {
		return 0, malformed("%s: %s at table offset %d lies outside its %d-byte table", t.what, t.fieldName(slot), fo, t.objLen)
	}
	return t.pos + uint32(fo), nil
}

func (t table) u8(slot int, def uint8) (uint8, error) {
	p, err := t.field(slot, 1)
	if err != nil || p == 0 {
		return def, err
	}
	return t.d.fb().GetUint8(flatbuffers.UOffsetT(p)), nil
}

func (t table) i8(slot int, def int8) (int8, error) {
	v, err := t.u8(slot, uint8(def))
	return int8(v), err
}

func (t table) boolean(slot int, def bool) (bool, error) {
	d := uint8(0)
	if def {
		d = 1
	}
	v, err := t.u8(slot, d)
	return v != 0, err
}

func (t table) u32(slot int, def uint32) (uint32, error) {
	p, err := t.field(slot, 4)
	if err != nil || p == 0 {
		return def, err
	}
	return t.d.fb().GetUint32(flatbuffers.UOffsetT(p)), nil
}

func (t table) i32(slot int, def int32) (int32, error) {
	v, err := t.u32(slot, uint32(def))
	return int32(v), err
}

func (t table) f32(slot int, def float32) (float32, error) {
	p, err := t.field(slot, 4)
	if err != nil || p == 0 {
		return def, err
	}
	return t.d.fb().GetFloat32(flatbuffers.UOffsetT(p)), nil
}

func (t table) u64(slot int, def uint64) (uint64, error) {
	p, err := t.field(slot, 8)
	if err != nil || p == 0 {
		return def, err
	}
	return t.d.fb().GetUint64(flatbuffers.UOffsetT(p)), nil
}

// ref follows the offset field slot and returns the absolute position it
// points to; ok is false when the field is absent.
func (t table) ref(slot int) (pos uint64, ok bool, err error) {
	p, err := t.field(slot, 4)
	if err != nil || p == 0 {
		return 0, false, err
	}
	target := uint64(p) + uint64(t.d.fb().GetUint32(flatbuffers.UOffsetT(p)))
	if target >= uint64(len(t.d.buf)) {
		return 0, false, malformed("%s: %s points to offset %d, past the end of the %d-byte file (truncated or corrupt)", t.what, t.fieldName(slot), target, len(t.d.buf))
	}
	return target, true, nil
}

// sub opens the table referenced by field slot; ok is false when absent.
func (t table) sub(slot int, what string) (table, bool, error) {
	pos, ok, err := t.ref(slot)
	if err != nil || !ok {
		return table{}, false, err
	}
	st, err := t.d.table(pos, what)
	return st, err == nil, err
}

// vector locates the vector referenced by field slot: the position of its
// first element and its length, checked to fit the file.
func (t table) vector(slot int, elemSize uint64) (start uint64, n int, err error) {
	pos, ok, err := t.ref(slot)
	if err != nil || !ok {
		return 0, 0, err
	}
	if !t.d.has(pos, 4) {
		return 0, 0, malformed("%s: vector length of %s at offset %d is outside the file", t.what, t.fieldName(slot), pos)
	}
	l := uint64(t.d.fb().GetUint32(flatbuffers.UOffsetT(pos)))
	if !t.d.has(pos+4, l*elemSize) {
		return 0, 0, malformed("%s: %s is a vector of %d elements at offset %d that runs past the end of the %d-byte file (truncated or corrupt)", t.what, t.fieldName(slot), l, pos, len(t.d.buf))
	}
	return pos + 4, int(l), nil
}

// bytes returns the byte vector of field slot, aliasing the file.
func (t table) bytes(slot int) ([]byte, error) {
	start, n, err := t.vector(slot, 1)
	if err != nil || n == 0 {
		return nil, err
	}
	return t.d.buf[start : start+uint64(n) : start+uint64(n)], nil
}

func (t table) str(slot int) (string, error) {
	start, n, err := t.vector(slot, 1)
	if err != nil || n == 0 {
		return "", err
	}
	if err := t.d.charge(int64(n), t.what); err != nil {
		return "", err
	}
	return string(t.d.buf[start : start+uint64(n)]), nil
}

func (t table) i32s(slot int) ([]int32, error) {
	return scalars(t, slot, 4, (*flatbuffers.Table).GetInt32)
}

func (t table) f32s(slot int) ([]float32, error) {
	return scalars(t, slot, 4, (*flatbuffers.Table).GetFloat32)
}

func (t table) i64s(slot int) ([]int64, error) {
	return scalars(t, slot, 8, (*flatbuffers.Table).GetInt64)
}

// scalars reads a checked vector of size-byte scalars with get, charging
// the allocation against the decoder's budget.
func scalars[T any](t table, slot int, size uint64, get func(*flatbuffers.Table, flatbuffers.UOffsetT) T) ([]T, error) {
	start, n, err := t.vector(slot, size)
	if err != nil || n == 0 {
		return nil, err
	}
	if err := t.d.charge(int64(size)*int64(n), t.what); err != nil {
		return nil, err
	}
	fb := t.d.fb()
	out := make([]T, n)
	for i := range out {
		out[i] = get(fb, flatbuffers.UOffsetT(start+size*uint64(i)))
	}
	return out, nil
}

// tableVec is a checked vector of tables.
type tableVec struct {
	d     *decoder
	start uint64
	n     int
}

// tables locates the vector of tables of field slot, charging perElem
// bytes of budget for each element the caller will decode.
func (t table) tables(slot int, perElem int64) (tableVec, error) {
	start, n, err := t.vector(slot, 4)
	if err != nil {
		return tableVec{}, err
	}
	if err := t.d.charge(perElem*int64(n), t.what); err != nil {
		return tableVec{}, err
	}
	return tableVec{d: t.d, start: start, n: n}, nil
}

func (v tableVec) at(i int, what string) (table, error) {
	p := v.start + 4*uint64(i)
	target := p + uint64(v.d.fb().GetUint32(flatbuffers.UOffsetT(p)))
	return v.d.table(target, what)
}
